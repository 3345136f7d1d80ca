export interface Config {
  paved?: {
    /**
     * The platform team's group ref: its members may deploy, promote, approve
     * and roll back every service (the permission policy and the deployments
     * backend both read it). Default: group:default/platform-team.
     */
    platformTeam?: string;
    deployments?: {
      /**
       * How long a rollout may take before the deployment is recorded as
       * failed. Default: 600.
       */
      rolloutTimeoutSeconds?: number;
      /**
       * Where `paved db connect` (ConnectDatabase) tells callers to reach a
       * service's database, when not at the host and port in Vault (where
       * its pods reach it): e.g. a bastion, or the platform's loopback.
       */
      databaseConnect?: {
        host?: string;
        port?: number;
      };
    };
    insights?: {
      /**
       * The environment whose deployments the DORA figures count. Default:
       * the environment named `production`, else the last of
       * `paved.environments`.
       */
      productionEnvironment?: string;
    };
  };
}

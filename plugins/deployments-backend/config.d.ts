export interface Config {
  paved?: {
    deployments?: {
      /**
       * How long a rollout may take before the deployment is recorded as
       * failed. Default: 600.
       */
      rolloutTimeoutSeconds?: number;
    };
  };
}

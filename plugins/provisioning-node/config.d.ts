export interface Config {
  paved?: {
    /**
     * Where services run, in promotion order. Each service gets a namespace
     * per environment, named by namespacePattern.
     */
    environments?: Array<{
      name: string;
      /**
       * The cluster the environment runs on: the name of a cluster under
       * `kubernetes.clusterLocatorMethods` (an entry of `type: config`, with
       * `authProvider: serviceAccount` and a `serviceAccountToken`). The
       * backend does not start while it is missing. Locally `yarn platform up`
       * writes the cluster `local`.
       */
      cluster: string;
      /** A service's namespace here; {service} stands for its name, e.g. "{service}-staging". */
      namespacePattern: string;
      /** Deploys here need an approval (see the deployments plugin). */
      requiresApproval?: boolean;
      /**
       * A failed rollout here is rolled back automatically to the image that
       * ran before it (default true).
       */
      autoRollback?: boolean;
      /**
       * Where a service answers in this environment; {service}, {namespace}
       * and {environment} are filled in, e.g.
       * "https://{service}.{environment}.apps.acme.example". Locally the
       * platform's gateway: "http://{service}.{namespace}.localhost:8900".
       * Defaults to paved.platform.gateway.url.
       */
      urlPattern?: string;
    }>;
    /**
     * The infrastructure Paved provisions into. Locally `yarn platform up`
     * writes these values to `.paved/run/app-config.platform.yaml`.
     */
    platform?: {
      /**
       * The local platform's admin kubeconfig, for tools and tests (kubectl),
       * and OpenTofu's cluster in a run given none (`KUBE_CONFIG_PATH`). The
       * portal's clients reach each environment's cluster through
       * `kubernetes.clusterLocatorMethods` instead.
       */
      kubeconfig?: string;
      /**
       * The local platform's gateway, which routes a Host of
       * `<service>.<namespace>.localhost` to that Service in the cluster.
       */
      gateway?: {
        /** URL pattern with {service} and {namespace}, e.g. "http://{service}.{namespace}.localhost:8900" */
        url: string;
      };
      /**
       * The Prometheus that scrapes the services (through their ServiceMonitors); the metrics
       * API reads it. Without it, the Metrics tab says metrics are not available.
       */
      prometheus?: {
        /** e.g. http://127.0.0.1:19090 */
        url: string;
      };
      /** The Alertmanager the Prometheus sends alerts to. */
      alertmanager?: {
        /** e.g. http://127.0.0.1:19093 */
        url: string;
      };
      /** The OCI registry the cluster's node pulls from (the local platform's). */
      registry?: {
        /** host:port of its HTTP API, e.g. 127.0.0.1:15000 */
        address: string;
        /**
         * The host name images are referred to by in manifests, e.g.
         * registry.paved.local (registry.paved.local/<repo>:<tag> is pulled from
         * <address>/<repo>:<tag>).
         */
        publicHost?: string;
      };
      postgres?: {
        /**
         * Connection URL of the PostgreSQL server that services' databases are
         * created on (a role allowed to create roles and databases).
         * @visibility secret
         */
        url: string;
      };
      vault?: {
        /** Vault's address, e.g. http://127.0.0.1:18200 */
        address: string;
        /**
         * The portal's Vault token.
         * @visibility secret
         */
        token: string;
      };
      tofu?: {
        /** The tofu executable. */
        binary: string;
        /** The OpenTofu CLI config (TF_CLI_CONFIG_FILE): where providers come from. */
        cliConfig: string;
        /**
         * PostgreSQL connection string of the OpenTofu state (pg backend conn_str).
         * @visibility secret
         */
        stateConnection: string;
        /** How long a run waits for another run's state lock, in seconds (default 60). */
        lockTimeoutSeconds?: number;
      };
    };
  };
}

export interface Config {
  paved?: {
    provisioning?: {
      /**
       * Directory of the OpenTofu modules that `paved:tofu:apply` may run, one
       * sub-directory per module; relative paths resolve from the backend's
       * working directory. Default: ../../templates/modules
       */
      modulesDirectory?: string;
      /**
       * Variables the platform sets per module, by module name, e.g.
       * { postgres-database: { host: db.internal, port: 5432 } }. Templates
       * can override them. The postgres-database host and port default to
       * paved.platform.postgres.url's.
       */
      moduleDefaults?: { [module: string]: { [variable: string]: unknown } };
      /**
       * Per cluster (a name of kubernetes.clusterLocatorMethods), module
       * variables over moduleDefaults: e.g. the postgres-database host the
       * pods of that cluster reach, which the deployments backend gives the
       * pods of every environment on it.
       */
      clusterModuleDefaults?: {
        [cluster: string]: {
          [module: string]: { [variable: string]: unknown };
        };
      };
    };
  };
}

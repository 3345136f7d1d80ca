export interface Config {
  auth?: {
    providers?: {
      /** Sign in as any User of the catalog, named in the `x-paved-local-user` header. Local development only. */
      localUser?: {
        /** Lets the provider run when NODE_ENV is not `development`, as the portal's own tests need. Never in production. */
        dangerouslyAllowOutsideDevelopment?: boolean;
      };
    };
  };
}

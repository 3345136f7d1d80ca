export interface Config {
  paved?: {
    signIn?: {
      /**
       * Sign-in methods offered on the sign-in page: 'guest' and 'localUser'
       * (any catalog User) for local development, 'github' in production.
       * Each needs its auth provider configured in the backend (auth.providers).
       * @visibility frontend
       */
      providers?: Array<'guest' | 'localUser' | 'github'>;
    };
  };
}

export interface Config {
  paved?: {
    signIn?: {
      /**
       * Sign-in methods offered on the sign-in page, in order: 'guest', 'github'.
       * Each needs its auth provider configured in the backend (auth.providers).
       * @visibility frontend
       */
      providers?: Array<'guest' | 'github'>;
    };
  };
}

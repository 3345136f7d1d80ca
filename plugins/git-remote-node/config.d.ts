export interface Config {
  paved?: {
    /**
     * The git forge that "Create Service" publishes to when no hosted forge
     * (GitHub, GitLab) is configured: the server in scripts/platform/git-remote.
     */
    gitRemote?: {
      /** Base URL of the git remote, e.g. http://localhost:8930 */
      baseUrl: string;
      /** Owner (namespace) new repositories are created under. */
      owner?: string;
    };
  };
}

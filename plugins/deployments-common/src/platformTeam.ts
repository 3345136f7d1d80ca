/** The platform team when config names none: its members may deploy, promote, approve and roll back every service. */
export const DEFAULT_PLATFORM_TEAM = 'group:default/platform-team';

/**
 * The platform team's group ref, from `paved.platformTeam` (default
 * `group:default/platform-team`), lowercased as ownership refs are. The
 * permission policy and the deployments backend both read it here.
 */
export function readPlatformTeam(config: {
  getOptionalString(key: string): string | undefined;
}): string {
  const ref = config.getOptionalString('paved.platformTeam');
  if (ref === undefined) return DEFAULT_PLATFORM_TEAM;
  if (!/^group:[^:/]+\/[^:/]+$/i.test(ref)) {
    throw new Error(
      `paved.platformTeam: "${ref}" is not a group ref of the form group:<namespace>/<name>, e.g. ${DEFAULT_PLATFORM_TEAM}`,
    );
  }
  return ref.toLocaleLowerCase('en-US');
}

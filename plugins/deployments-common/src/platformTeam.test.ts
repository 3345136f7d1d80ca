import { DEFAULT_PLATFORM_TEAM, readPlatformTeam } from './platformTeam';

const config = (value?: string) => ({
  getOptionalString: (key: string) =>
    key === 'paved.platformTeam' ? value : undefined,
});

describe('readPlatformTeam', () => {
  it('defaults to group:default/platform-team', () => {
    expect(readPlatformTeam(config())).toBe(DEFAULT_PLATFORM_TEAM);
  });

  it('reads paved.platformTeam, lowercased as ownership refs are', () => {
    expect(readPlatformTeam(config('group:default/SRE'))).toBe(
      'group:default/sre',
    );
  });

  it('refuses what is not a group ref, naming the key and the form', () => {
    expect(() => readPlatformTeam(config('sre'))).toThrow(
      'paved.platformTeam: "sre" is not a group ref of the form group:<namespace>/<name>',
    );
  });
});

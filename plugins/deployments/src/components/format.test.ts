import { responseError } from '../testUtils/fakeApi';
import {
  describeError,
  displayRef,
  imageVersion,
  relativeTime,
} from './format';

describe('format', () => {
  it('names users of the default namespace by their name', () => {
    expect(displayRef('user:default/alice')).toBe('alice');
    expect(displayRef('user:other/alice')).toBe('user:other/alice');
    expect(displayRef('paved:automatic')).toBe('paved:automatic');
    expect(displayRef(undefined)).toBe('unknown');
  });

  it('writes times relative to now, and leaves what is no time as it is', () => {
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000).toISOString();
    expect(relativeTime(fiveMinutesAgo)).toBe('5 minutes ago');
    expect(relativeTime('yesterday')).toBe('yesterday');
    expect(relativeTime(undefined)).toBe('');
  });

  it('reads the version from an image reference', () => {
    expect(imageVersion('registry.paved.local/orders-api:1.4.2')).toBe('1.4.2');
    expect(imageVersion('localhost:5000/orders-api:1.4.2')).toBe('1.4.2');
    expect(imageVersion('localhost:5000/orders-api')).toBe('latest');
    expect(
      imageVersion(
        'registry.paved.local/orders-api:3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
      ),
    ).toBe('3f2c1e0');
    expect(
      imageVersion(
        `registry.paved.local/orders-api@sha256:${'ab12'.repeat(16)}`,
      ),
    ).toBe('sha256:ab12ab12ab12');
  });

  it("titles a backend error by its status and keeps the backend's message", async () => {
    expect(
      describeError(await responseError(403, 'You may not deploy this')),
    ).toEqual({ title: 'Not allowed', message: 'You may not deploy this' });
    expect(
      describeError(
        await responseError(
          409,
          'A deployment is already under way',
          'DeploymentInProgressError',
        ),
      ).title,
    ).toBe('Already deploying');
    // Another conflict, whatever its wording: told apart by name only.
    expect(
      describeError(
        await responseError(
          409,
          'Approval a-1 is already approved',
          'ConflictError',
        ),
      ).title,
    ).toBe('Conflict');
    expect(describeError(new Error('Failed to fetch'))).toEqual({
      title: 'Request failed',
      message: 'Failed to fetch',
    });
  });
});

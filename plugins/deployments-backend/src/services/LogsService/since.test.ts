import { InputError } from '@backstage/errors';
import { parseSince } from './since';

describe('parseSince', () => {
  const now = new Date('2026-11-29T03:00:00Z');

  it('takes durations as seconds', () => {
    expect(parseSince('30s', now)).toEqual({ sinceSeconds: 30 });
    expect(parseSince('15m', now)).toEqual({ sinceSeconds: 900 });
    expect(parseSince('1h', now)).toEqual({ sinceSeconds: 3600 });
    expect(parseSince('2d', now)).toEqual({ sinceSeconds: 172800 });
    expect(parseSince(undefined, now)).toEqual({});
  });

  it('takes a time as the kubelet sinceTime', () => {
    expect(parseSince('2026-11-29T02:00:00+00:00', now)).toEqual({
      sinceTime: '2026-11-29T02:00:00.000Z',
    });
  });

  it('refuses anything else, naming since and the fix', () => {
    for (const bad of ['1 hour', '1w', 'yesterday', '0s', '-5m']) {
      expect(() => parseSince(bad, now)).toThrow(InputError);
      expect(() => parseSince(bad, now)).toThrow(/^since: /);
    }
  });

  it('refuses more than 30 days back', () => {
    expect(parseSince('30d', now)).toEqual({ sinceSeconds: 2592000 });
    expect(() => parseSince('31d', now)).toThrow(/at most 30 days/);
    expect(() => parseSince('2026-10-01T00:00:00Z', now)).toThrow(
      /at most 30 days/,
    );
  });
});

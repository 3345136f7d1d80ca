import { parseTime } from './dora';

describe('parseTime', () => {
  it('gives what Date.parse gives for the stores’ form and for anything else', () => {
    const odd = [
      '2026-03-01T10:00:00.000Z',
      '2026-02-28T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2024-02-29T12:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T00:60:00.000Z',
      '2026-01-01T00:00:60.000Z',
      '0099-01-01T00:00:00.000Z',
      '0999-12-31T00:00:00.000Z',
      '2026-03-01T10:00:00.000+01:00',
      '2026-03-01T10:00:00+01:00',
      '2026-03-01T10:00:00Z',
      '2026-03-01T10:00:00.0000Z',
      '2026-03-01 10:00:00.000Z',
      '2026-03-01',
      '2026-0a-01T10:00:00.000Z',
      '2026-03-01T10:00:00.00aZ',
      'not a time at all, 24 ch',
      '',
    ];
    // Every 7 hours 13 minutes and some milliseconds over four years.
    const step = (7 * 60 + 13) * 60_000 + 517;
    const start = Date.parse('2024-01-01T00:00:00.000Z');
    const canonical = Array.from({ length: 5000 }, (_, i) =>
      new Date(start + i * step).toISOString(),
    );
    for (const iso of [...odd, ...canonical]) {
      expect([iso, parseTime(iso)]).toEqual([iso, Date.parse(iso)]);
    }
  });
});

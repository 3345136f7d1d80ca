import {
  computeDora,
  DoraDeployment,
  groupBy,
  groupPrepared,
  median,
  prepareDeployments,
  tierOf,
  weeklyTrend,
  windowOf,
} from './dora';

const A = 'component:default/a';
const B = 'component:default/b';

function dep(
  id: string,
  entityRef: string,
  createdAt: string,
  minutes: number | undefined,
  status: DoraDeployment['status'],
  extra: Partial<DoraDeployment> = {},
): DoraDeployment {
  return {
    id,
    entityRef,
    status,
    createdAt,
    finishedAt:
      minutes === undefined
        ? undefined
        : new Date(Date.parse(createdAt) + minutes * 60_000).toISOString(),
    ...extra,
  };
}

// 30 days back from 2026-03-31T00:00Z: the window starts 2026-03-01T00:00Z.
const window = windowOf(30, new Date('2026-03-31T00:00:00.000Z'));

const history: DoraDeployment[] = [
  // Before the window: a failure and its recovery by a1 count for nothing.
  dep('a0', A, '2026-02-28T23:00:00.000Z', 5, 'failed'),
  // Exactly at the window's start: counted; its image has no build record.
  dep('b5', B, '2026-03-01T00:00:00.000Z', 10, 'succeeded'),
  dep('a1', A, '2026-03-02T10:00:00.000Z', 5, 'succeeded', {
    commitTime: '2026-03-02T08:05:00.000Z',
    commitSha: 'aaa1',
  }),
  // A failed rollout, undone by the automatic rollback a3.
  dep('a2', A, '2026-03-05T10:00:00.000Z', 2, 'failed', {
    commitTime: '2026-03-05T09:00:00.000Z',
  }),
  dep('a3', A, '2026-03-05T10:02:00.000Z', 2, 'succeeded', {
    rollbackOf: 'a2',
  }),
  // Rolled out fine, then rolled back on request: a failure, recovered by a5.
  dep('a4', A, '2026-03-10T12:00:00.000Z', 10, 'succeeded', {
    commitTime: '2026-03-10T11:10:00.000Z',
  }),
  dep('a5', A, '2026-03-10T13:00:00.000Z', 20, 'succeeded', { reverts: 'a4' }),
  dep('b1', B, '2026-03-15T00:00:00.000Z', 30, 'succeeded', {
    commitTime: '2026-03-14T00:30:00.000Z',
  }),
  // A secret change's restart is no code change.
  dep('b3', B, '2026-03-16T00:00:00.000Z', 1, 'succeeded', {
    secretChange: true,
  }),
  // Failed, nothing healthy after it yet.
  dep('b2', B, '2026-03-30T20:00:00.000Z', 5, 'failed'),
  // Still rolling out: not counted yet.
  dep('b4', B, '2026-03-30T23:00:00.000Z', undefined, 'rolling-out'),
];

describe('computeDora', () => {
  it('computes the four keys with what each counts', () => {
    const figures = computeDora(history, window);
    expect(figures.deploymentFrequency).toEqual({
      count: 6,
      perDay: 0.2,
      deploymentIds: ['b5', 'a1', 'a2', 'a4', 'b1', 'b2'],
    });
    expect(figures.leadTime).toEqual({
      medianSeconds: 7200,
      samples: [
        {
          deploymentId: 'a1',
          commitSha: 'aaa1',
          commitTime: '2026-03-02T08:05:00.000Z',
          seconds: 7200,
        },
        {
          deploymentId: 'a4',
          commitSha: undefined,
          commitTime: '2026-03-10T11:10:00.000Z',
          seconds: 3600,
        },
        {
          deploymentId: 'b1',
          commitSha: undefined,
          commitTime: '2026-03-14T00:30:00.000Z',
          seconds: 86400,
        },
      ],
    });
    expect(figures.changeFailureRate).toEqual({
      rate: 0.5,
      failed: 3,
      count: 6,
      failedDeploymentIds: ['a2', 'a4', 'b2'],
    });
    expect(figures.recoveryTime).toEqual({
      medianSeconds: 2520,
      samples: [
        { deploymentId: 'a2', recoveredBy: 'a3', seconds: 240 },
        { deploymentId: 'a4', recoveredBy: 'a5', seconds: 4800 },
      ],
      unrecoveredDeploymentIds: ['b2'],
    });
    expect(figures.tier).toEqual({
      overall: 'low',
      deploymentFrequency: 'high',
      leadTime: 'elite',
      changeFailureRate: 'low',
      recoveryTime: 'elite',
    });
  });

  it('has no figures and no tier without production deploys', () => {
    const figures = computeDora([history[0]], window);
    expect(figures).toEqual({
      deploymentFrequency: { count: 0, perDay: 0, deploymentIds: [] },
      leadTime: { medianSeconds: null, samples: [] },
      changeFailureRate: {
        rate: null,
        failed: 0,
        count: 0,
        failedDeploymentIds: [],
      },
      recoveryTime: {
        medianSeconds: null,
        samples: [],
        unrecoveredDeploymentIds: [],
      },
      tier: {
        overall: null,
        deploymentFrequency: null,
        leadTime: null,
        changeFailureRate: null,
        recoveryTime: null,
      },
    });
  });

  it('does not count a deploy created at the end of the window', () => {
    const figures = computeDora(
      [dep('x', A, window.to, 1, 'succeeded')],
      window,
    );
    expect(figures.deploymentFrequency.count).toBe(0);
  });

  it('does not take a failed rollback for a recovery or an undo', () => {
    const figures = computeDora(
      [
        dep('f', A, '2026-03-20T00:00:00.000Z', 1, 'succeeded'),
        dep('r', A, '2026-03-20T01:00:00.000Z', 1, 'failed', { reverts: 'f' }),
      ],
      window,
    );
    expect(figures.changeFailureRate.failedDeploymentIds).toEqual([]);
    expect(figures.deploymentFrequency.deploymentIds).toEqual(['f']);
  });

  it('recovers only with a release that was not undone itself', () => {
    const figures = computeDora(
      [
        dep('f', A, '2026-03-20T00:00:00.000Z', 1, 'failed'),
        dep('g', A, '2026-03-20T01:00:00.000Z', 1, 'succeeded'),
        dep('r', A, '2026-03-20T02:00:00.000Z', 1, 'succeeded', {
          reverts: 'g',
        }),
      ],
      window,
    );
    expect(figures.recoveryTime.samples).toEqual([
      { deploymentId: 'f', recoveredBy: 'r', seconds: 7260 },
      { deploymentId: 'g', recoveredBy: 'r', seconds: 3660 },
    ]);
  });
});

describe('weeklyTrend', () => {
  it('splits the window into weeks back from its end', () => {
    expect(weeklyTrend(history, window)).toEqual([
      {
        weekStart: '2026-03-01T00:00:00.000Z',
        deployments: 2,
        leadTimeMedianSeconds: 7200,
        changeFailureRate: 0,
        recoveryMedianSeconds: null,
      },
      {
        weekStart: '2026-03-03T00:00:00.000Z',
        deployments: 1,
        leadTimeMedianSeconds: null,
        changeFailureRate: 1,
        recoveryMedianSeconds: 240,
      },
      {
        weekStart: '2026-03-10T00:00:00.000Z',
        deployments: 2,
        leadTimeMedianSeconds: 45000,
        changeFailureRate: 0.5,
        recoveryMedianSeconds: 4800,
      },
      {
        weekStart: '2026-03-17T00:00:00.000Z',
        deployments: 0,
        leadTimeMedianSeconds: null,
        changeFailureRate: null,
        recoveryMedianSeconds: null,
      },
      {
        weekStart: '2026-03-24T00:00:00.000Z',
        deployments: 1,
        leadTimeMedianSeconds: null,
        changeFailureRate: 1,
        recoveryMedianSeconds: null,
      },
    ]);
  });
});

describe('tierOf', () => {
  it.each([
    ['deploymentFrequency', 1, 'elite'],
    ['deploymentFrequency', 1 / 7, 'high'],
    ['deploymentFrequency', 1 / 30, 'medium'],
    ['deploymentFrequency', 1 / 31, 'low'],
    ['leadTime', 86399, 'elite'],
    ['leadTime', 86400, 'high'],
    ['leadTime', 7 * 86400, 'medium'],
    ['leadTime', 30 * 86400, 'low'],
    ['changeFailureRate', 0.05, 'elite'],
    ['changeFailureRate', 0.2, 'high'],
    ['changeFailureRate', 0.21, 'low'],
    ['recoveryTime', 3599, 'elite'],
    ['recoveryTime', 3600, 'high'],
    ['recoveryTime', 86400, 'low'],
  ] as const)('%s %d is %s', (metric, value, tier) => {
    expect(tierOf(metric, value)).toBe(tier);
  });
});

describe('median and groupBy', () => {
  it('takes the middle or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('groups by a key of the entity and leaves out entities without one', () => {
    const groups = groupBy(history, ref => (ref === A ? 'team-a' : undefined));
    expect([...groups.keys()]).toEqual(['team-a']);
    expect(groups.get('team-a')!.map(d => d.id)).toEqual([
      'a0',
      'a1',
      'a2',
      'a3',
      'a4',
      'a5',
    ]);
  });

  it('gives each prepared group, and each week, the figures of its own deployments alone', () => {
    const keyOf = (ref: string) => (ref === A ? 'team-a' : 'team-b');
    // Shuffled: preparing sorts.
    const shuffled = [...history].reverse();
    const prepared = groupPrepared(prepareDeployments(shuffled), keyOf);
    const plain = groupBy(history, keyOf);
    expect([...prepared.keys()].sort()).toEqual(['team-a', 'team-b']);
    for (const [key, list] of plain) {
      expect(computeDora(prepared.get(key)!, window)).toEqual(
        computeDora(list, window),
      );
      expect(weeklyTrend(prepared.get(key)!, window)).toEqual(
        weeklyTrend(list, window),
      );
    }
    expect(computeDora(prepareDeployments(shuffled), window)).toEqual(
      computeDora(history, window),
    );
  });
});

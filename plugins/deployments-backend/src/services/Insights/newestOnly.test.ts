import { computeDora, windowOf } from './dora';
import { newestOnly } from './InsightsService';

describe('newestOnly', () => {
  it('lists the newest deployments of each figure and keeps its counts and medians of all', () => {
    const window = windowOf(7, new Date('2026-03-31T00:00:00.000Z'));
    const deployments = Array.from({ length: 5 }, (_, i) => ({
      id: `d${i}`,
      entityRef: 'component:default/a',
      status: (i % 2 ? 'failed' : 'succeeded') as 'failed' | 'succeeded',
      createdAt: `2026-03-2${5 + i}T00:00:00.000Z`,
      finishedAt: `2026-03-2${5 + i}T00:10:00.000Z`,
      commitTime: `2026-03-2${4 + i}T00:00:00.000Z`,
    }));
    const all = computeDora(deployments, window);
    const cut = newestOnly(all, 2);
    expect(cut.deploymentFrequency).toEqual({
      ...all.deploymentFrequency,
      deploymentIds: ['d3', 'd4'],
    });
    expect(cut.leadTime.medianSeconds).toBe(all.leadTime.medianSeconds);
    expect(cut.leadTime.samples.map(s => s.deploymentId)).toEqual(['d2', 'd4']);
    expect(cut.changeFailureRate).toEqual({
      ...all.changeFailureRate,
      failedDeploymentIds: ['d1', 'd3'],
    });
    expect(cut.recoveryTime.samples.map(s => s.deploymentId)).toEqual([
      'd1',
      'd3',
    ]);
    expect(newestOnly(all, 100)).toEqual(all);
  });

  it('is what computeDora gives when asked for the newest only', () => {
    const window = windowOf(30, new Date('2026-03-31T00:00:00.000Z'));
    // Changes, failures with and without a recovery, rollbacks, a restart.
    const deployments = Array.from({ length: 40 }, (_, i) => ({
      id: `d${String(i).padStart(2, '0')}`,
      entityRef: `component:default/s${i % 3}`,
      status: (i % 5 === 2 ? 'failed' : 'succeeded') as 'failed' | 'succeeded',
      createdAt: new Date(Date.UTC(2026, 2, 1 + (i % 30), i)).toISOString(),
      finishedAt: new Date(Date.UTC(2026, 2, 1 + (i % 30), i, 7)).toISOString(),
      ...(i % 4 ? { commitTime: `2026-02-2${i % 8}T00:00:00.000Z` } : {}),
      ...(i % 11 === 6
        ? { reverts: `d${String(i - 3).padStart(2, '0')}` }
        : {}),
      ...(i % 13 === 9 ? { secretChange: true } : {}),
    }));
    const all = computeDora(deployments, window);
    expect(all.recoveryTime.samples.length).toBeGreaterThan(0);
    expect(all.recoveryTime.unrecoveredDeploymentIds.length).toBeGreaterThan(0);
    for (const limit of [0, 1, 2, 3, 5, 8, 13, 40, 100]) {
      expect(computeDora(deployments, window, { newest: limit })).toEqual(
        newestOnly(all, limit),
      );
    }
  });
});

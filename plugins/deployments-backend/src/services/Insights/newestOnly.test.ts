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
});

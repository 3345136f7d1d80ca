import { Feedback } from '@paved/plugin-deployments-common';
import { weeklyAverages } from './weekly';

const now = new Date('2026-03-01T00:00:00.000Z');
const at = (daysBack: number, rating: number, action = 'production-deploy') =>
  ({
    id: `${daysBack}-${rating}`,
    rating,
    category: 'deploy',
    context: { page: '/', action, entityRef: 'component:default/a' },
    user: 'user:default/a',
    createdAt: new Date(now.getTime() - daysBack * 86_400_000).toISOString(),
  } as Feedback);

describe('weeklyAverages', () => {
  it('averages per action and week back from now, oldest first, and leaves out what is outside the window', () => {
    expect(
      weeklyAverages(
        [
          at(1, 1),
          at(2, 4),
          at(8, 5),
          at(3, 2, 'create-service'),
          at(10, 3, 'create-service'),
          at(40, 1),
        ],
        30,
        now,
      ),
    ).toEqual([
      {
        action: 'create-service',
        weekStart: '2026-02-15T00:00:00.000Z',
        count: 1,
        average: 3,
      },
      {
        action: 'production-deploy',
        weekStart: '2026-02-15T00:00:00.000Z',
        count: 1,
        average: 5,
      },
      {
        action: 'create-service',
        weekStart: '2026-02-22T00:00:00.000Z',
        count: 1,
        average: 2,
      },
      {
        action: 'production-deploy',
        weekStart: '2026-02-22T00:00:00.000Z',
        count: 2,
        average: 2.5,
      },
    ]);
  });

  it('is empty without ratings', () => {
    expect(weeklyAverages([], 7, now)).toEqual([]);
  });
});

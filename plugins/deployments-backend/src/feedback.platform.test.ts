import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Feedback } from '@paved/plugin-deployments-common';
import { KnexFeedbackStore } from './services/Feedback';

// The feedback table on the real databases: its migration, the once-only
// index under a concurrent second rating, and the filters. (The rules with
// SQLite in memory: services/Feedback/FeedbackService.test.ts.)

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const feedback = (id: string, over: Partial<Feedback> = {}): Feedback => ({
  id,
  rating: 1,
  category: 'deploy',
  comment: 'slow rollout',
  context: {
    page: '/catalog/default/component/orders/environments',
    action: 'production-deploy',
    entityRef: 'component:default/orders',
    deploymentId: 'd1',
  },
  user: 'user:default/alice',
  createdAt: '2026-03-01T00:00:00.000Z',
  ...over,
});

describe('KnexFeedbackStore', () => {
  beforeAll(() => {
    if (!databases.supports('POSTGRES_15')) {
      throw new Error(
        'No PostgreSQL: run with `npm test`, or set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.',
      );
    }
  });

  it.each(databases.eachSupportedId())(
    'keeps one rating per user and action, and lists by window, action and entity, on %s',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await KnexFeedbackStore.create({
        getClient: async () => knex,
        migrations: { skip: false },
      });
      const [first, second] = await Promise.all([
        store.insert(feedback('f1'), 'd1'),
        store.insert(feedback('f2'), 'd1'),
      ]);
      expect([first, second].sort()).toEqual([false, true]);
      expect(
        await store.exists('user:default/alice', 'production-deploy', 'd1'),
      ).toBe(true);
      await store.insert(
        feedback('f3', {
          rating: 5,
          comment: undefined,
          context: {
            page: '/create',
            action: 'create-service',
            entityRef: 'component:default/billing',
            taskId: 't1',
          },
          createdAt: '2026-03-02T00:00:00.000Z',
        }),
        't1',
      );
      const all = await store.list({ since: '2026-02-01T00:00:00.000Z' });
      expect(all.map(f => f.context.action)).toEqual([
        'create-service',
        'production-deploy',
      ]);
      expect(all[0]).toEqual({
        id: 'f3',
        rating: 5,
        category: 'deploy',
        context: {
          page: '/create',
          action: 'create-service',
          entityRef: 'component:default/billing',
          taskId: 't1',
        },
        user: 'user:default/alice',
        createdAt: '2026-03-02T00:00:00.000Z',
      });
      expect(
        (
          await store.list({
            since: '2026-02-01T00:00:00.000Z',
            entityRef: 'component:default/orders',
          })
        ).map(f => f.context.deploymentId),
      ).toEqual(['d1']);
      expect(
        await store.list({ since: '2026-03-01T12:00:00.000Z' }),
      ).toHaveLength(1);
    },
  );
});

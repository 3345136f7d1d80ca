import { Feedback, FeedbackRequest } from '@paved/plugin-deployments-common';
import { testCredentials } from '@paved/plugin-provisioning-node/testDoubles';
import { testDatabase } from '../../__testUtils__/database';
import { DefaultFeedbackService } from './FeedbackService';
import { KnexFeedbackStore } from './FeedbackStore';

// The rules with the real store on SQLite; who did what is given (deployments
// and tasks), as the deployment store and the scaffolder would say it. With the
// real parts: feedback.platform.test.ts is still to come (decision 0022).

const alice = 'user:default/alice';
const bob = 'user:default/bob';
const paula = 'user:default/paula'; // of the platform team
const caller = (user: string) => ({
  credentials: testCredentials.user(user),
  userEntityRef: user,
});
const deployments: Record<string, any> = {
  d1: {
    id: 'd1',
    entityRef: 'component:default/orders',
    environment: 'production',
    requestedBy: alice,
  },
  s1: {
    id: 's1',
    entityRef: 'component:default/orders',
    environment: 'staging',
    requestedBy: alice,
  },
};
const rating = (
  over: Omit<Partial<FeedbackRequest>, 'context'> & {
    context?: Partial<FeedbackRequest['context']>;
  } = {},
): FeedbackRequest => ({
  rating: 1,
  category: 'deploy',
  comment: 'the rollout took ages',
  ...over,
  context: {
    page: '/catalog/default/component/orders/environments',
    action: 'production-deploy',
    entityRef: 'component:default/orders',
    deploymentId: 'd1',
    ...over.context,
  },
});

async function setup() {
  const { database } = await testDatabase();
  const low: Feedback[] = [];
  const service = new DefaultFeedbackService({
    store: await KnexFeedbackStore.create(database),
    deployments: { getDeployment: async id => deployments[id] },
    tasks: {
      createdBy: async id => (id === 't1' ? { createdBy: bob } : undefined),
    },
    membership: {
      groupsOf: async user =>
        user === paula ? ['group:default/platform-team'] : [],
    },
    platformTeam: 'group:default/platform-team',
    productionEnvironment: 'production',
    notifier: {
      lowRating: async f => {
        low.push(f);
      },
    },
    now: () => new Date('2026-03-01T00:00:00.000Z'),
  });
  return { service, low };
}

describe('DefaultFeedbackService', () => {
  it('takes a rating of one\u2019s own production deploy once, tells the platform team of a low one, and lists it for them only', async () => {
    const { service, low } = await setup();
    const created = await service.create(rating(), caller(alice));
    expect(created).toMatchObject({ rating: 1, user: alice });
    expect(low.map(f => f.id)).toEqual([created.id]);
    await expect(service.create(rating(), caller(alice))).rejects.toMatchObject(
      { name: 'ConflictError' },
    );
    await expect(
      service.list({ window: 7 }, caller(alice)),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    const list = await service.list(
      { window: 7, action: 'production-deploy' },
      caller(paula),
    );
    expect(list.items).toEqual([created]);
    expect(list.weekly).toEqual([
      expect.objectContaining({ action: 'production-deploy', average: 1 }),
    ]);
  });

  it('refuses someone else\u2019s deploy (404), a non-production one and a missing id (400 naming the field)', async () => {
    const { service, low } = await setup();
    await expect(service.create(rating(), caller(bob))).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringMatching(/^context\.deploymentId:/),
    });
    await expect(
      service.create(
        rating({ context: { deploymentId: 's1' } }),
        caller(alice),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^context\.deploymentId:/),
    });
    await expect(
      service.create(
        rating({ context: { deploymentId: undefined } }),
        caller(alice),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^context\.deploymentId:/),
    });
    expect(low).toEqual([]);
  });

  it('takes a Create Service rating from the one who started the task, without telling anyone of a good one', async () => {
    const { service, low } = await setup();
    const context = {
      action: 'create-service' as const,
      deploymentId: undefined,
      taskId: 't1',
    };
    await expect(
      service.create(rating({ rating: 5, context }), caller(alice)),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    const created = await service.create(
      rating({ rating: 5, context }),
      caller(bob),
    );
    expect(created.context).toMatchObject({ taskId: 't1' });
    expect(low).toEqual([]);
  });
});

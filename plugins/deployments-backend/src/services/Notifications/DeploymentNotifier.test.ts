import { Entity } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { ApprovalRequest } from '@paved/plugin-deployments-common';
import { testLogger } from '@paved/plugin-provisioning-node/testDoubles';
import {
  BackstageDeploymentNotifier,
  deploymentsLinkOf,
} from './DeploymentNotifier';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { owner: 'team-a' },
};
const approval: ApprovalRequest = {
  id: 'a1',
  entityRef: 'component:default/shop',
  fromEnvironment: 'staging',
  toEnvironment: 'production',
  image: 'registry/shop:2',
  requestedBy: 'user:default/alice',
  status: 'pending',
  createdAt: '2026-01-01T00:00:00.000Z',
};

function notifierSending(send: (o: NotificationSendOptions) => Promise<void>) {
  return new BackstageDeploymentNotifier({
    notifications: { send },
    logger: testLogger(),
    platformTeam: 'group:default/platform-team',
    productionEnvironment: 'production',
  });
}

describe('BackstageDeploymentNotifier', () => {
  it('tells the owners and the platform team of an approval request, not the requester', async () => {
    const sent: NotificationSendOptions[] = [];
    await notifierSending(async o => {
      sent.push(o);
    }).approvalRequested(approval, entity);
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-a', 'group:default/platform-team'],
      excludeEntityRef: 'user:default/alice',
    });
    expect(sent[0].payload.link).toBe(
      '/catalog/default/component/shop/environments',
    );
  });

  it('tells the requester of the decision', async () => {
    const sent: NotificationSendOptions[] = [];
    await notifierSending(async o => {
      sent.push(o);
    }).approvalDecided({
      ...approval,
      status: 'rejected',
      decidedBy: 'user:default/bob',
    });
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: 'user:default/alice',
    });
    expect(sent[0].payload.title).toBe(
      'Promotion rejected: component:default/shop to production',
    );
  });

  it('tells the owners of a failed production deploy only', async () => {
    const sent: NotificationSendOptions[] = [];
    const notifier = notifierSending(async o => {
      sent.push(o);
    });
    const deployment = {
      id: 'd1',
      entityRef: 'component:default/shop',
      image: 'registry/shop:3',
      requestedBy: 'user:default/alice',
    };
    await notifier.deploymentFailed(
      { ...deployment, environment: 'staging' },
      entity,
      'crash loop',
    );
    expect(sent).toHaveLength(0);
    await notifier.deploymentFailed(
      { ...deployment, environment: 'production' },
      entity,
      'crash loop',
    );
    expect(sent.map(o => o.recipients)).toEqual([
      { type: 'entity', entityRef: ['group:default/team-a'] },
    ]);
    expect(sent[0].payload.severity).toBe('critical');
  });

  it('never fails the action it follows when the notifications backend is away', async () => {
    await expect(
      notifierSending(async () => {
        throw new Error('connect ECONNREFUSED');
      }).approvalRequested(approval, entity),
    ).resolves.toBeUndefined();
  });

  it('tells the platform team of a low rating, with the context and the comment', async () => {
    const sent: NotificationSendOptions[] = [];
    await notifierSending(async o => {
      sent.push(o);
    }).lowRating({
      id: 'f1',
      rating: 1,
      category: 'deploy',
      comment: 'slow',
      context: {
        page: '/x',
        action: 'production-deploy',
        entityRef: 'component:default/shop',
        deploymentId: 'd1',
      },
      user: 'user:default/alice',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/platform-team',
    });
    expect(sent[0].payload.description).toBe(
      '"slow": user:default/alice rated production-deploy (deployment d1, on /x) 1/5 [deploy]',
    );
  });

  it('links to the Environments tab', () => {
    expect(deploymentsLinkOf('component:team/api')).toBe(
      '/catalog/team/component/api/environments',
    );
  });
});

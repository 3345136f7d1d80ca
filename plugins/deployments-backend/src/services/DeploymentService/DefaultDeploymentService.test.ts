import { Entity } from '@backstage/catalog-model';
import { Environment, VaultClient } from '@paved/plugin-provisioning-node';
import { InMemoryKubernetesClient } from '@paved/plugin-provisioning-node/testUtils';
import {
  testAuth,
  testCatalog,
  testCredentials,
  testLogger,
  testPermissions,
} from '@paved/plugin-provisioning-node/testDoubles';
import { testDatabase } from '../../__testUtils__/database';
import { KnexDeploymentStore } from '../DeploymentStore';
import { DefaultDeploymentAuditWriter } from './audit';
import { OwnerOrPlatformTeamApproverRule } from './approverRule';
import { DefaultDeploymentService } from './DefaultDeploymentService';
import { KubernetesRolloutWatcher } from './rolloutWatcher';
import { KubernetesWorkloadCopier } from './workloadCopy';

// The use cases with every part in memory: SQLite, an in-memory cluster,
// given memberships. (With the real parts: plugin.platform.test.ts.)

const environments = [
  {
    name: 'staging',
    namespacePattern: '{service}-staging',
    requiresApproval: false,
    autoRollback: true,
  },
  {
    name: 'production',
    namespacePattern: '{service}-production',
    requiresApproval: true,
    autoRollback: true,
  },
] as Environment[];

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    namespace: 'default',
    annotations: {
      'paved.dev/kubernetes-namespace-staging': 'orders-api-staging',
      'paved.dev/kubernetes-namespace-production': 'orders-api-production',
    },
  },
  spec: { owner: 'group:default/storefront-team' },
};
const REF = 'component:default/orders-api';
const hannah = 'user:default/hannah';
const omar = 'user:default/omar';
const caller = (user: string) => ({
  credentials: testCredentials.user(user),
  userEntityRef: user,
});
const image = (tag: string) => `registry.paved.local/orders-api:${tag}`;

async function setup() {
  const { database } = await testDatabase();
  const store = await KnexDeploymentStore.create(database);
  const kubernetes = new InMemoryKubernetesClient([
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'orders-api', namespace: 'orders-api-staging' },
      spec: {
        replicas: 1,
        template: {
          spec: { containers: [{ name: 'orders-api', image: image('1') }] },
        },
      },
    } as any,
  ]);
  // One cluster for both environments (the cross-cluster copy: workloadCopy.test.ts).
  const clusters = { forEnvironment: () => kubernetes };
  const audit = new DefaultDeploymentAuditWriter({ store });
  const logger = testLogger();
  // Who was told what, in order (the notifier's own recipients: Notifications/DeploymentNotifier.test.ts).
  const told: string[] = [];
  const notifier = {
    approvalRequested: async (a: { id: string }) => {
      told.push(`requested ${a.id}`);
    },
    approvalDecided: async (a: { id: string; status: string }) => {
      told.push(`${a.status} ${a.id}`);
    },
    deploymentFailed: async (d: { id: string }) => {
      told.push(`failed ${d.id}`);
    },
    lowRating: async () => {},
  };
  const service = new DefaultDeploymentService({
    environments,
    store,
    catalog: testCatalog([entity]),
    clusters,
    vault: {} as VaultClient, // the entity has no paved.dev/vault-path
    permissions: testPermissions(),
    auth: testAuth(),
    logger,
    audit,
    watcher: new KubernetesRolloutWatcher({
      clusters,
      store,
      audit,
      environments,
      logger,
      notifier,
      timeoutMs: 60_000,
    }),
    approverRule: new OwnerOrPlatformTeamApproverRule({
      membership: {
        groupsOf: async user =>
          [hannah, omar].includes(user)
            ? ['group:default/storefront-team']
            : [],
      },
      platformTeam: 'group:default/platform-team',
    }),
    workloadCopier: new KubernetesWorkloadCopier(clusters),
    notifier,
  });
  return { service, store, kubernetes, told };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise(r => setImmediate(r));
};

describe('DefaultDeploymentService', () => {
  it('deploys, refuses a second deploy while the first rolls out, and records the end', async () => {
    const { service, kubernetes } = await setup();
    const first = await service.deploy(
      { entityRef: REF, environment: 'staging', image: image('2') },
      caller(hannah),
    );
    expect(first).toMatchObject({
      status: 'rolling-out',
      image: image('2'),
      previousImage: image('1'),
    });
    expect(kubernetes.applied.at(-1)?.options).toEqual({
      namespace: 'orders-api-staging',
      fieldManager: 'paved-deployments',
    });
    await expect(
      service.deploy(
        { entityRef: REF, environment: 'staging', image: image('3') },
        caller(hannah),
      ),
    ).rejects.toMatchObject({ name: 'DeploymentInProgressError' });

    kubernetes.completeRollout('orders-api-staging', 'orders-api');
    await settle();
    expect(await service.getDeployment(first.id, caller(hannah))).toMatchObject(
      { status: 'succeeded' },
    );
    // The lock is free again.
    await expect(
      service.deploy(
        { entityRef: REF, environment: 'staging', image: image('3') },
        caller(hannah),
      ),
    ).resolves.toMatchObject({ status: 'rolling-out' });
    service.stop();
  });

  it('refuses a direct deploy to an environment that requires approval (400 naming environment)', async () => {
    const { service } = await setup();
    await expect(
      service.deploy(
        { entityRef: REF, environment: 'production', image: image('2') },
        caller(hannah),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^environment: production requires an approval/,
      ),
    });
  });

  it('promotes with approval: another owner approves, the first promotion copies the workload, a second decision is a 409', async () => {
    const { service, kubernetes, told } = await setup();
    const promotion = await service.promote(
      { entityRef: REF, from: 'staging', to: 'production' },
      caller(hannah),
    );
    expect(promotion.type).toBe('approval');
    const id = promotion.type === 'approval' ? promotion.approval.id : '';
    expect(told).toEqual([`requested ${id}`]);
    await expect(service.approve(id, caller(hannah))).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(told).toEqual([`requested ${id}`]);
    const { approval, deployment } = await service.approve(id, caller(omar));
    expect(told).toEqual([`requested ${id}`, `approved ${id}`]);
    expect(approval).toMatchObject({ status: 'approved', decidedBy: omar });
    expect(deployment).toMatchObject({
      environment: 'production',
      image: image('1'),
      message: expect.stringContaining(
        'first deploy to production: Deployment orders-api copied from staging',
      ),
    });
    expect(
      await kubernetes.getRolloutStatus('orders-api-production', 'orders-api'),
    ).toMatchObject({ image: image('1') });
    await expect(service.reject(id, caller(omar))).rejects.toMatchObject({
      name: 'ConflictError',
    });
    const events = await service.listAuditEvents(REF, caller(hannah));
    expect(events.map(e => `${e.action} ${e.result}`).reverse()).toEqual([
      'promote pending',
      'approve failed',
      'approve succeeded',
      'reject failed',
    ]);
    service.stop();
  });

  it('rejects with a reason: stored with the decision and in the audit message', async () => {
    const { service } = await setup();
    const promotion = await service.promote(
      { entityRef: REF, from: 'staging', to: 'production' },
      caller(hannah),
    );
    const id = promotion.type === 'approval' ? promotion.approval.id : '';
    const rejected = await service.reject(id, caller(omar), {
      reason: '  wait for the migration ',
    });
    expect(rejected).toMatchObject({
      status: 'rejected',
      decidedBy: omar,
      decisionReason: 'wait for the migration',
    });
    const [last] = await service.listAuditEvents(REF, caller(hannah));
    expect(last).toMatchObject({
      action: 'reject',
      result: 'succeeded',
      message: 'Rejected: wait for the migration',
    });
    service.stop();
  });

  it('pages the history with the cursor it returns', async () => {
    const { service, kubernetes } = await setup();
    for (const tag of ['2', '3', '4']) {
      await service.deploy(
        { entityRef: REF, environment: 'staging', image: image(tag) },
        caller(hannah),
      );
      kubernetes.completeRollout('orders-api-staging', 'orders-api');
      await settle();
    }
    const first = await service.listDeployments(
      REF,
      { limit: 2 },
      caller(hannah),
    );
    expect(first.items.map(d => d.image)).toEqual([image('4'), image('3')]);
    const rest = await service.listDeployments(
      REF,
      { limit: 2, cursor: first.nextCursor },
      caller(hannah),
    );
    expect(rest.items.map(d => d.image)).toEqual([image('2')]);
    expect(rest.nextCursor).toBeUndefined();
    await expect(
      service.listDeployments(REF, { cursor: 'x' }, caller(hannah)),
    ).rejects.toMatchObject({ name: 'InputError' });
  });
});

import { Entity } from '@backstage/catalog-model';
import { DeploymentAuditEvent } from '@paved/plugin-deployments-common';
import { InMemoryKubernetesClient } from '@paved/plugin-provisioning-node/testUtils';
import { Environment } from '@paved/plugin-provisioning-node';
import { DeploymentOutcome, StoredDeployment } from '../DeploymentStore';
import { testLogger } from '@paved/plugin-provisioning-node/testDoubles';
import { DefaultDeploymentAuditWriter } from './audit';
import {
  automaticRollbackOf,
  KubernetesRolloutWatcher,
  Redeployer,
} from './rolloutWatcher';

// The rollout watch with an in-memory cluster and store: how a rollout's end
// is recorded (once), the lock's heartbeat and release, and the automatic
// rollback. (Against real pods: plugin.platform.test.ts.)

const staging: Environment = {
  name: 'staging',
  namespacePattern: '{service}-staging',
  requiresApproval: false,
  autoRollback: true,
} as Environment;

const deployment = (
  overrides: Partial<StoredDeployment> = {},
): StoredDeployment => ({
  id: 'd-2',
  entityRef: 'component:default/orders-api',
  environment: 'staging',
  namespace: 'orders-api-staging',
  workload: 'orders-api',
  image: 'registry.paved.local/orders-api:2',
  previousImage: 'registry.paved.local/orders-api:1',
  status: 'rolling-out',
  requestedBy: 'user:default/hannah',
  createdAt: '2026-03-01T12:00:00.000Z',
  message: 'Deploy 2',
  ...overrides,
});

function setup(options: { heartbeatMs?: number } = {}) {
  const kubernetes = new InMemoryKubernetesClient();
  const finished = new Map<string, DeploymentOutcome>();
  const events: DeploymentAuditEvent[] = [];
  const calls: string[] = [];
  const store = {
    finishDeployment: jest.fn(
      async (id: string, outcome: DeploymentOutcome) => {
        if (finished.has(id)) return false;
        finished.set(id, outcome);
        return true;
      },
    ),
    releaseLock: jest.fn(async (_e: string, _env: string, id: string) => {
      calls.push(`release ${id}`);
    }),
    heartbeatLock: jest.fn(async () => true),
    addAuditEvent: async (event: DeploymentAuditEvent) => {
      events.push(event);
    },
  };
  const audit = new DefaultDeploymentAuditWriter({ store });
  const watcher = new KubernetesRolloutWatcher({
    clusters: { forEnvironment: () => kubernetes },
    store,
    audit,
    environments: [staging],
    logger: testLogger(),
    timeoutMs: 60_000,
    heartbeatMs: options.heartbeatMs,
  });
  const started: Array<{ image: string; rollbackOf?: string }> = [];
  const redeployer: Redeployer = {
    getEntity: async () => ({ metadata: { name: 'orders-api' } } as Entity),
    startDeployment: async (_entity, request) => {
      started.push({ image: request.image, rollbackOf: request.rollbackOf });
      return { ...deployment({ id: 'd-3', image: request.image }) };
    },
  };
  return {
    kubernetes,
    store,
    finished,
    events,
    calls,
    watcher,
    redeployer,
    started,
  };
}

/** Lets the watcher's promise chain run. */
const settle = () => new Promise(resolve => setImmediate(resolve));

describe('KubernetesRolloutWatcher', () => {
  it('records a rollout that completed, releases the lock and audits it', async () => {
    const t = setup();
    t.watcher.watch(deployment(), t.redeployer);
    expect(t.kubernetes.watching('orders-api-staging', 'orders-api')).toBe(1);
    t.kubernetes.completeRollout('orders-api-staging', 'orders-api', 7);
    await settle();
    await settle();
    expect(t.finished.get('d-2')).toEqual({
      status: 'succeeded',
      message: 'Deploy 2. Rolled out: 1 of 1 replicas available',
      revision: 7,
    });
    expect(t.calls).toEqual(['release d-2']);
    expect(t.events).toEqual([
      expect.objectContaining({
        action: 'rollout',
        result: 'succeeded',
        deploymentId: 'd-2',
      }),
    ]);
    expect(t.started).toEqual([]);
  });

  it('records a failed rollout with its reason and rolls back to the image before', async () => {
    const t = setup();
    t.watcher.watch(deployment(), t.redeployer);
    t.kubernetes.failRollout('orders-api-staging', 'orders-api', {
      reason: 'ImagePull',
      message: 'the image could not be pulled',
      logTail: 'not found',
    } as any);
    for (let i = 0; i < 5; i++) await settle();
    expect(t.finished.get('d-2')).toMatchObject({
      status: 'failed',
      failureReason: 'ImagePull',
      logTail: 'not found',
    });
    expect(t.started).toEqual([
      { image: 'registry.paved.local/orders-api:1', rollbackOf: 'd-2' },
    ]);
    expect(t.events.map(e => `${e.actor} ${e.action} ${e.result}`)).toEqual([
      'user:default/hannah rollout failed',
      'paved:automatic rollback succeeded',
    ]);
  });

  it('rolls back only once when two watchers see the same failure', async () => {
    const t = setup();
    t.watcher.watch(deployment(), t.redeployer);
    t.watcher.watch(deployment(), t.redeployer);
    t.kubernetes.failRollout('orders-api-staging', 'orders-api', {
      reason: 'CrashLoop',
      message: 'crash',
    } as any);
    for (let i = 0; i < 5; i++) await settle();
    expect(t.store.finishDeployment).toHaveBeenCalledTimes(2);
    expect(t.started).toHaveLength(1);
  });

  it('beats the lock while watching and stops on stop(), recording nothing', async () => {
    const t = setup({ heartbeatMs: 10 });
    t.watcher.watch(deployment(), t.redeployer);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(t.store.heartbeatLock).toHaveBeenCalledWith(
      'component:default/orders-api',
      'staging',
      'd-2',
    );
    t.watcher.stop();
    await settle();
    const beats = t.store.heartbeatLock.mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(t.store.heartbeatLock.mock.calls.length).toBe(beats);
    expect(t.finished.size).toBe(0);
    expect(t.calls).toEqual([]);
  });
});

describe('automaticRollbackOf', () => {
  const failure = { failureReason: 'CrashLoop' as const };

  it('returns to the image that ran before, as paved:automatic', () => {
    expect(automaticRollbackOf(deployment(), staging, failure)).toMatchObject({
      image: 'registry.paved.local/orders-api:1',
      requestedBy: 'paved:automatic',
      rollbackOf: 'd-2',
      why: 'deployment d-2 of registry.paved.local/orders-api:2 failed (CrashLoop)',
    });
  });

  it.each([
    [
      'the environment turned it off',
      deployment(),
      { ...staging, autoRollback: false },
    ],
    ['nothing ran before', deployment({ previousImage: undefined }), staging],
    [
      'the same image ran before',
      deployment({ previousImage: 'registry.paved.local/orders-api:2' }),
      staging,
    ],
    ['it was a rollback itself', deployment({ rollbackOf: 'd-1' }), staging],
  ])('does nothing when %s', (_why, failed, environment) => {
    expect(
      automaticRollbackOf(failed, environment as Environment, failure),
    ).toBeUndefined();
  });
});

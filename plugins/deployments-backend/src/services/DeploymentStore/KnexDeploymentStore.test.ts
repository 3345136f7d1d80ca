import { testDatabase } from '../../__testUtils__/database';
import { KnexDeploymentStore } from './KnexDeploymentStore';
import { StoredDeployment } from './DeploymentStore';

// The store's rules on SQLite, in seconds (on PostgreSQL, through the
// plugin: plugin.platform.test.ts).

async function createStore(options: { staleLockMs?: number } = {}) {
  const { database, knex } = await testDatabase();
  const store = await KnexDeploymentStore.create(database, options);
  return { store, knex };
}

const ENTITY = 'component:default/orders-api';
let n = 0;
const deployment = (
  overrides: Partial<StoredDeployment> = {},
): StoredDeployment => ({
  id: `d-${++n}`,
  entityRef: ENTITY,
  environment: 'staging',
  namespace: 'orders-api-staging',
  workload: 'orders-api',
  image: `registry.paved.local/orders-api:${n}`,
  status: 'rolling-out',
  requestedBy: 'user:default/hannah',
  createdAt: new Date().toISOString(),
  ...overrides,
});

describe('KnexDeploymentStore locks', () => {
  it('refuses a second deploy while the first holds the lock (409)', async () => {
    const { store } = await createStore();
    await store.acquireLock(ENTITY, 'staging', 'first');
    await expect(
      store.acquireLock(ENTITY, 'staging', 'second'),
    ).rejects.toMatchObject({
      name: 'DeploymentInProgressError',
      statusCode: 409,
      message: expect.stringContaining('already under way (first'),
    });
    // Another environment has its own lock.
    await expect(
      store.acquireLock(ENTITY, 'production', 'third'),
    ).resolves.toBeUndefined();
  });

  it('is free again once released', async () => {
    const { store } = await createStore();
    await store.acquireLock(ENTITY, 'staging', 'first');
    await store.releaseLock(ENTITY, 'staging', 'first');
    await expect(
      store.acquireLock(ENTITY, 'staging', 'second'),
    ).resolves.toBeUndefined();
  });

  it('takes over a lock whose heartbeat stopped, not one that beats', async () => {
    const { store, knex } = await createStore({ staleLockMs: 60_000 });
    await store.acquireLock(ENTITY, 'staging', 'watched');
    // Taken long ago (longer than any staleness), but its watcher beats: held.
    const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await knex('deployment_locks').update({ acquired_at: longAgo });
    expect(await store.heartbeatLock(ENTITY, 'staging', 'watched')).toBe(true);
    await expect(
      store.acquireLock(ENTITY, 'staging', 'second'),
    ).rejects.toMatchObject({ name: 'DeploymentInProgressError' });

    // The heartbeat stopped two minutes ago (its backend died): taken over.
    await knex('deployment_locks').update({
      heartbeat_at: new Date(Date.now() - 120_000).toISOString(),
    });
    await expect(
      store.acquireLock(ENTITY, 'staging', 'second'),
    ).resolves.toBeUndefined();
    // The old holder learns it lost the lock, and can't release the new one.
    expect(await store.heartbeatLock(ENTITY, 'staging', 'watched')).toBe(false);
    await store.releaseLock(ENTITY, 'staging', 'watched');
    await expect(
      store.acquireLock(ENTITY, 'staging', 'third'),
    ).rejects.toMatchObject({
      message: expect.stringContaining('already under way (second'),
    });
  });

  it('judges a lock from before heartbeats by when it was taken', async () => {
    const { store, knex } = await createStore({ staleLockMs: 60_000 });
    await knex('deployment_locks').insert({
      entity_ref: ENTITY,
      environment: 'staging',
      deployment_id: 'old',
      acquired_at: new Date(Date.now() - 120_000).toISOString(),
      heartbeat_at: null,
    });
    await expect(
      store.acquireLock(ENTITY, 'staging', 'new'),
    ).resolves.toBeUndefined();
  });
});

describe('KnexDeploymentStore deployments', () => {
  it('records the end of a deployment once (finishDeployment twice)', async () => {
    const { store } = await createStore();
    const d = deployment();
    await store.insertDeployment(d);
    expect(
      await store.finishDeployment(d.id, {
        status: 'failed',
        message: 'Rollout failed',
        failureReason: 'ImagePull',
        logTail: 'pull access denied',
      }),
    ).toBe(true);
    expect(
      await store.finishDeployment(d.id, {
        status: 'succeeded',
        message: 'Rolled out',
      }),
    ).toBe(false);
    expect(await store.getDeployment(d.id)).toMatchObject({
      status: 'failed',
      message: 'Rollout failed',
      failureReason: 'ImagePull',
      logTail: 'pull access denied',
      finishedAt: expect.any(String),
    });
    expect(await store.listInFlight()).toEqual([]);
  });

  it('pages the history newest first with a cursor', async () => {
    const { store } = await createStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = deployment({ status: 'succeeded' });
      ids.push(d.id);
      await store.insertDeployment(d);
    }
    await store.insertDeployment(deployment({ environment: 'production' }));
    const first = await store.listDeployments({
      entityRef: ENTITY,
      environment: 'staging',
      limit: 2,
    });
    expect(first.items.map(d => d.id)).toEqual([ids[4], ids[3]]);
    const second = await store.listDeployments({
      entityRef: ENTITY,
      environment: 'staging',
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map(d => d.id)).toEqual([ids[2], ids[1]]);
    const last = await store.listDeployments({
      entityRef: ENTITY,
      environment: 'staging',
      limit: 2,
      cursor: second.nextCursor,
    });
    expect(last.items.map(d => d.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeUndefined();
  });
});

describe('KnexDeploymentStore approvals', () => {
  it('decides an approval once', async () => {
    const { store } = await createStore();
    await store.insertApproval({
      id: 'a-1',
      entityRef: ENTITY,
      fromEnvironment: 'staging',
      toEnvironment: 'production',
      image: 'registry.paved.local/orders-api:1',
      requestedBy: 'user:default/hannah',
      status: 'pending',
      createdAt: new Date().toISOString(),
    });
    const decide = (decidedBy: string) =>
      store.decideApproval('a-1', { status: 'approved', decidedBy });
    expect(await decide('user:default/omar')).toBe(true);
    expect(await decide('user:default/priya')).toBe(false);
    expect(await store.getApproval('a-1')).toMatchObject({
      status: 'approved',
      decidedBy: 'user:default/omar',
    });
    await store.reopenApproval('a-1');
    expect(await store.getApproval('a-1')).toMatchObject({
      status: 'pending',
    });
  });
});

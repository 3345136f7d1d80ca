import { Entity } from '@backstage/catalog-model';
import { CreateBuildRequest } from '@paved/plugin-deployments-common';
import {
  testCatalog,
  testCredentials,
} from '@paved/plugin-provisioning-node/testDoubles';
import { testDatabase } from '../../__testUtils__/database';
import { KnexBuildStore } from '../BuildStore';
import { DefaultBuildService } from './DefaultBuildService';

// The rules of build records, on a SQLite store, in seconds; the HTTP side
// and PostgreSQL are in builds.platform.test.ts.

const SHA = '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
const builder = { credentials: testCredentials.service('paved-builder') };
const alice = {
  credentials: testCredentials.user('user:default/alice'),
  userEntityRef: 'user:default/alice',
};
const ordersApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'experimental', owner: 'team-a' },
};

async function createService(logLimit?: number) {
  const { database } = await testDatabase();
  const store = await KnexBuildStore.create(database);
  let now = Date.parse('2026-03-01T12:00:00Z');
  return {
    builds: new DefaultBuildService({
      store,
      catalog: testCatalog([ordersApi]),
      logLimit,
      now: () => new Date(now),
    }),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const request = (
  overrides: Partial<CreateBuildRequest> = {},
): CreateBuildRequest => ({
  entityRef: 'component:default/orders-api',
  commit: { sha: SHA.toUpperCase(), message: 'Add orders' },
  status: 'running',
  ...overrides,
});

describe('DefaultBuildService', () => {
  it('records builds from services only', async () => {
    const { builds } = await createService();
    await expect(builds.createBuild(request(), alice)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'Only CI and service tokens may post builds',
      ),
    });
    const build = await builds.createBuild(request(), builder);
    expect(build).toMatchObject({
      entityRef: 'component:default/orders-api',
      commitSha: SHA,
      status: 'running',
      startedAt: '2026-03-01T12:00:00.000Z',
      createdBy: 'paved-builder',
      logSize: 0,
      logTruncated: false,
    });
    await expect(
      builds.appendLog(build.id, { text: 'x' }, alice),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      builds.finishBuild(build.id, { status: 'failed' }, alice),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it.each([
    [{ entityRef: 'orders-api' }, 'entityRef: "orders-api" is not'],
    [{ entityRef: 'component:default/Not Valid' }, 'entityRef: '],
    [{ commit: { sha: 'xyz' } }, 'commit.sha: "xyz" is not a commit SHA'],
    [{ commit: { sha: SHA, time: 'noon' } }, 'commit.time: "noon"'],
    [{ image: 'orders:1' }, 'image: image "orders:1" names no registry'],
    [{ digest: 'md5:1' }, 'digest: "md5:1" is not an image digest'],
    [{ finishedAt: '2026-03-01T12:00:00Z' }, 'finishedAt: a running build'],
    [{ status: 'succeeded' as const }, 'image: a succeeded build names'],
    [
      {
        status: 'failed' as const,
        startedAt: '2026-03-01T12:00:00Z',
        finishedAt: '2026-03-01T11:00:00Z',
      },
      'finishedAt: 2026-03-01T11:00:00.000Z is before the build started',
    ],
  ])('refuses %p naming the field', async (overrides, message) => {
    const { builds } = await createService();
    await expect(
      builds.createBuild(request(overrides), builder),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(message),
    });
  });

  it('finishes a build once, with its duration', async () => {
    const { builds, advance } = await createService();
    const build = await builds.createBuild(request(), builder);
    advance(42_000);
    await expect(
      builds.finishBuild(build.id, { status: 'succeeded' }, builder),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('image: '),
    });
    const finished = await builds.finishBuild(
      build.id,
      {
        status: 'succeeded',
        image: `registry.paved.local/orders-api:${SHA}`,
      },
      builder,
    );
    expect(finished).toMatchObject({
      status: 'succeeded',
      finishedAt: '2026-03-01T12:00:42.000Z',
      durationMs: 42_000,
    });
    await expect(
      builds.finishBuild(build.id, { status: 'failed' }, builder),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`Build ${build.id} already succeeded`),
    });
    await expect(
      builds.appendLog(build.id, { text: 'late' }, builder),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(
      builds.finishBuild('nope', { status: 'failed' }, builder),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('streams the log from an offset, past what a long log dropped', async () => {
    const { builds } = await createService(20);
    const build = await builds.createBuild(
      request({ log: 'one\ntwo\n' }),
      builder,
    );
    expect(await builds.getBuildLog(build.id, 4, alice)).toEqual({
      text: 'two\n',
      offset: 4,
      nextOffset: 8,
      truncated: false,
      status: 'running',
      finished: false,
    });
    await builds.appendLog(
      build.id,
      { text: 'three\nfour\nfive\n\u0000' },
      builder,
    );
    const chunk = await builds.getBuildLog(build.id, 4, alice);
    expect(chunk).toMatchObject({
      text: 'three\nfour\nfive\n',
      offset: 8,
      nextOffset: 24,
      truncated: true,
    });
    expect((await builds.getBuild(build.id, alice)).logTruncated).toBe(true);
    await expect(builds.getBuildLog(build.id, 25, alice)).rejects.toMatchObject(
      { name: 'InputError', message: expect.stringContaining('offset: 25') },
    );
  });

  it('shows people the builds of entities they can read, services every build', async () => {
    const { builds } = await createService();
    const fresh = await builds.createBuild(
      request({ entityRef: 'component:default/fresh' }),
      builder,
    );
    expect(
      (await builds.listBuilds('component:default/fresh', {}, builder)).items,
    ).toHaveLength(1);
    await expect(
      builds.listBuilds('component:default/fresh', {}, alice),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(builds.getBuild(fresh.id, alice)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: `No build ${fresh.id}`,
    });
    await builds.createBuild(request(), builder);
    expect(
      (await builds.listBuilds('component:default/orders-api', {}, alice))
        .items,
    ).toHaveLength(1);
  });
});

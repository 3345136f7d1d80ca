import { testDatabase } from '../../__testUtils__/database';
import { keepLogTail, KnexBuildStore } from './KnexBuildStore';
import { NewBuild } from './BuildStore';

// The store on SQLite, in seconds (PostgreSQL: builds.platform.test.ts).

async function createStore() {
  const { database } = await testDatabase();
  return KnexBuildStore.create(database);
}

let n = 0;
const newBuild = (overrides: Partial<NewBuild> = {}): NewBuild => ({
  id: `b-${++n}`,
  entityRef: 'component:default/orders-api',
  commitSha: 'abcdef1234567890abcdef1234567890abcdef12',
  status: 'running',
  startedAt: '2026-03-01T12:00:00.000Z',
  createdBy: 'paved-builder',
  log: '',
  ...overrides,
});

describe('keepLogTail', () => {
  it('keeps what fits', () => {
    expect(keepLogTail('ab\n', 'cd\n', 10)).toEqual({
      log: 'ab\ncd\n',
      dropped: 0,
    });
  });

  it('drops the start, from the next line on', () => {
    expect(keepLogTail('line one\nline two\n', 'line three\n', 20)).toEqual({
      log: 'line three\n',
      dropped: 18,
    });
  });

  it('never keeps half a surrogate pair', () => {
    const { log, dropped } = keepLogTail('😀😀', '', 3);
    expect(log).toBe('😀');
    expect(dropped).toBe(2);
  });
});

describe('KnexBuildStore', () => {
  const limit = { logLimit: 1000 };

  it('appends concurrently without losing text, and closes the log when finished', async () => {
    const store = await createStore();
    const build = newBuild({ log: 'start\n' });
    await store.insertBuild(build, limit);
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}\n`);
    const results = await Promise.all(
      lines.map(line => store.appendLog(build.id, line, limit)),
    );
    expect(results.every(r => r === 'done')).toBe(true);
    const { build: stored, log } = (await store.getBuildWithLog(build.id))!;
    expect(log.split('\n').sort()).toEqual(
      ['start', ...lines.map(l => l.trim()), ''].sort(),
    );
    expect(stored.logSize).toBe(log.length);

    const outcome = {
      status: 'failed' as const,
      message: 'no Dockerfile',
      finishedAt: '2026-03-01T12:01:00.000Z',
      log: 'Error: no Dockerfile\n',
    };
    expect(await store.finishBuild(build.id, outcome, limit)).toBe('done');
    expect(await store.finishBuild(build.id, outcome, limit)).toBe('finished');
    expect(await store.appendLog(build.id, 'late\n', limit)).toBe('finished');
    expect(await store.appendLog('nope', 'x', limit)).toBe('missing');
    const finished = (await store.getBuildWithLog(build.id))!;
    expect(finished.build).toMatchObject({
      status: 'failed',
      message: 'no Dockerfile',
      finishedAt: '2026-03-01T12:01:00.000Z',
    });
    expect(finished.log.endsWith('Error: no Dockerfile\n')).toBe(true);
  });

  it('keeps the end of a long log and counts what it dropped', async () => {
    const store = await createStore();
    const build = newBuild({ log: 'a'.repeat(15) });
    await store.insertBuild(build, { logLimit: 10 });
    await store.appendLog(build.id, 'bbbbb', { logLimit: 10 });
    const { build: stored, log } = (await store.getBuildWithLog(build.id))!;
    expect(log).toBe('aaaaabbbbb');
    expect(stored).toMatchObject({ logSize: 20, logOffset: 10 });
  });

  it('lists newest first a page at a time, by status and by commit', async () => {
    const store = await createStore();
    const full = '0123456789abcdef0123456789abcdef01234567';
    const a = newBuild({ commitSha: full });
    const b = newBuild({
      commitSha: '0123456',
      status: 'succeeded',
      image: 'registry.paved.local/orders-api:0123456',
    });
    const c = newBuild({ commitSha: 'fedcba9876543210' });
    const other = newBuild({ entityRef: 'component:default/other' });
    for (const build of [a, b, c, other]) await store.insertBuild(build, limit);
    const ref = 'component:default/orders-api';

    const page1 = await store.listBuilds({ entityRef: ref, limit: 2 });
    expect(page1.items.map(x => x.id)).toEqual([c.id, b.id]);
    const page2 = await store.listBuilds({
      entityRef: ref,
      limit: 2,
      cursor: page1.nextCursor,
    });
    expect(page2.items.map(x => x.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeUndefined();
    const succeeded = await store.listBuilds({
      entityRef: ref,
      status: 'succeeded',
      limit: 10,
    });
    expect(succeeded.items.map(x => x.image)).toEqual([b.image]);
    // Either SHA may be the abbreviation of the other.
    const byFull = await store.listBuilds({
      entityRef: ref,
      commitSha: full,
      limit: 10,
    });
    expect(byFull.items.map(x => x.id)).toEqual([b.id, a.id]);
    const byShort = await store.listBuilds({
      entityRef: ref,
      commitSha: 'fedcba9',
      limit: 10,
    });
    expect(byShort.items.map(x => x.id)).toEqual([c.id]);
  });
});

import {
  testAuth,
  testLogger,
} from '@paved/plugin-provisioning-node/testDoubles';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createAwaitBuildAction, summarizeLog } from './awaitBuild';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './awaitBuild.examples';

// The action against a stand-in of the deployments backend's build routes
// (the real ones are tested in deployments-backend's builds.platform.test.ts).

const SHA = '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
const IMAGE = `registry.paved.local/orders-api:${SHA}`;

interface FakeBuild {
  id: string;
  entityRef: string;
  commitSha: string;
  status: 'running' | 'succeeded' | 'failed';
  image?: string;
  digest?: string;
  message?: string;
  startedAt: string;
  durationMs?: number;
  log: string;
}

/** The build routes the action reads, over builds a test changes as it goes. */
class FakeDeployments {
  readonly builds: FakeBuild[] = [];
  readonly requests: Array<{ url: string; authorization?: string }> = [];
  /**
   * Called before each request is answered: a test changes the builds there,
   * step by step, or answers 'drop' to close the connection without an answer.
   */
  onRequest?: (url: string) => void | 'drop';
  private server?: Server;
  baseUrl = '';

  async start() {
    this.server = createServer((req, res) => {
      this.requests.push({
        url: req.url!,
        authorization: req.headers.authorization,
      });
      if (this.onRequest?.(req.url!) === 'drop') {
        req.socket.destroy();
        return;
      }
      const url = new URL(req.url!, 'http://x');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const list =
        /^\/api\/deployments\/entities\/(\w+)\/([\w-]+)\/([\w-]+)\/builds$/.exec(
          url.pathname,
        );
      if (list) {
        const sha = url.searchParams.get('commitSha') ?? '';
        const items = this.builds
          .filter(
            b =>
              b.entityRef === `${list[1]}:${list[2]}/${list[3]}` &&
              b.commitSha.startsWith(sha),
          )
          .reverse()
          .slice(0, Number(url.searchParams.get('limit') ?? 20))
          .map(({ log: _log, ...b }) => b);
        json(200, { items });
        return;
      }
      const one = /^\/api\/deployments\/builds\/([\w-]+)(\/log)?$/.exec(
        url.pathname,
      );
      const build = one && this.builds.find(b => b.id === one[1]);
      if (!build) {
        json(404, { error: { name: 'NotFoundError', message: 'No build' } });
      } else if (one![2]) {
        const offset = Number(url.searchParams.get('offset'));
        json(200, {
          text: build.log.slice(offset),
          offset,
          nextOffset: build.log.length,
          truncated: false,
          status: build.status,
          finished: build.status !== 'running',
        });
      } else {
        json(200, build);
      }
    });
    await new Promise<void>(resolve => this.server!.listen(0, resolve));
    const { port } = this.server!.address() as AddressInfo;
    this.baseUrl = `http://localhost:${port}/api/deployments`;
  }

  stop() {
    return new Promise(resolve => this.server?.close(resolve));
  }

  add(overrides: Partial<FakeBuild> = {}): FakeBuild {
    const build: FakeBuild = {
      id: `b-${this.builds.length + 1}`,
      entityRef: 'component:default/orders-api',
      commitSha: SHA,
      status: 'running',
      startedAt: new Date().toISOString(),
      log: '',
      ...overrides,
    };
    this.builds.push(build);
    return build;
  }
}

function action(deployments: FakeDeployments) {
  return createAwaitBuildAction({
    discovery: {
      getBaseUrl: async () => deployments.baseUrl,
      getExternalBaseUrl: async () => deployments.baseUrl,
    },
    auth: testAuth('scaffolder'),
    pollIntervalMs: 20,
  });
}

type Context = Parameters<ReturnType<typeof action>['handler']>[0] & {
  output: jest.Mock;
};

function context(input: Record<string, string | number>) {
  const logger = testLogger();
  const ctx = mockActionContext({
    input,
    logger,
  }) as unknown as Context;
  const lines = () =>
    [...logger.info.mock.calls, ...logger.warn.mock.calls].map(c => c[0]);
  return { ctx, lines };
}

const outputs = (ctx: Context) => Object.fromEntries(ctx.output.mock.calls);

describe('paved:build:await', () => {
  const deployments = new FakeDeployments();
  beforeAll(() => deployments.start());
  afterAll(() => deployments.stop());
  beforeEach(() => {
    deployments.builds.splice(0);
    deployments.requests.splice(0);
    deployments.onRequest = undefined;
  });

  it('waits for the build to arrive and end, following its log', async () => {
    const { ctx, lines } = context({
      entityRef: 'orders-api',
      commitSha: SHA.toUpperCase(),
      timeoutSeconds: 60,
    });
    // Driven by the action's own reads, not by time: the build arrives at the
    // second look, its log grows at the second read and it ends at the third.
    let listReads = 0;
    let logReads = 0;
    deployments.onRequest = url => {
      if (url.includes('/builds?') && ++listReads === 2) {
        deployments.add({ log: 'STEP 1/3: FROM node\n' });
      }
      const build = deployments.builds[0];
      if (!url.includes('/log?') || !build) return;
      logReads++;
      if (logReads === 2) {
        build.log += `${Array.from({ length: 8 }, (_, i) => `line ${i}`).join(
          '\n',
        )}\n`;
      }
      if (logReads === 3) {
        Object.assign(build, {
          status: 'succeeded',
          image: IMAGE,
          digest: `sha256:${'a'.repeat(64)}`,
          durationMs: 41_600,
        });
      }
    };
    await action(deployments).handler(ctx);

    expect(outputs(ctx)).toEqual({
      image: IMAGE,
      buildId: 'b-1',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(lines()).toEqual(
      expect.arrayContaining([
        'Waiting for the build of 3f2c1e0 of component:default/orders-api',
        expect.stringMatching(/^Build b-1 of 3f2c1e0 is running \(started /),
        '  │ STEP 1/3: FROM node',
        '  │ … 3 more lines',
        '  │ line 7',
        `Build b-1 succeeded in 42 s: ${IMAGE}`,
      ]),
    );
    expect(lines()).not.toContain('  │ line 2');
    // With the scaffolder's own service token, for the deployments plugin.
    expect(deployments.requests[0].url).toBe(
      `/api/deployments/entities/component/default/orders-api/builds?commitSha=${SHA}&limit=1`,
    );
    expect(deployments.requests[0].authorization).toMatch(
      /^Bearer test-token:scaffolder:deployments$/,
    );
  });

  it('goes on waiting through connections closed without an answer', async () => {
    // A dropped kept-alive connection (read again at once), then the backend
    // out of reach for a while (read again at the next poll, with a warning).
    const build = deployments.add({ log: 'STEP 1/3: FROM node\n' });
    let logReads = 0;
    deployments.onRequest = url => {
      if (!url.includes('/log?')) return undefined;
      logReads++;
      if (logReads === 2) {
        Object.assign(build, { status: 'succeeded', image: IMAGE });
      }
      return logReads >= 2 && logReads <= 5 ? 'drop' : undefined;
    };
    const { ctx, lines } = context({
      entityRef: 'orders-api',
      commitSha: SHA,
    });
    await action(deployments).handler(ctx);

    expect(outputs(ctx).image).toBe(IMAGE);
    // Reads 2–4 were one call's three attempts; read 5 the next poll's first.
    expect(logReads).toBe(6);
    const warnings = lines().filter(l => l.startsWith('Reading the build'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Reading the build failed, retrying: The deployments API did not answer GET http:\/\/localhost:\d+\/api\/deployments\/builds\/b-1\/log\?offset=\d+ \(.+\): is the backend running\?$/,
      ),
    ]);
  });

  it("fails naming the build's failure", async () => {
    deployments.add({
      status: 'failed',
      message: 'no Dockerfile at the repository root',
      log: 'error: no Dockerfile\n',
    });
    const { ctx, lines } = context({
      entityRef: 'component:default/orders-api',
      commitSha: SHA.slice(0, 7),
    });
    await expect(action(deployments).handler(ctx)).rejects.toThrow(
      "The build of 3f2c1e0 failed: no Dockerfile at the repository root (build b-1; its log is on the entity's Builds card)",
    );
    expect(lines()).toContain('  │ error: no Dockerfile');
  });

  it('says what to check when no build arrives', async () => {
    const { ctx } = context({
      entityRef: 'component:default/orders-api',
      commitSha: SHA,
      timeoutSeconds: 1,
    });
    await expect(action(deployments).handler(ctx)).rejects.toThrow(
      `no build of ${SHA} arrived within 1 s: is the builder running? (yarn platform status)`,
    );
  });

  it('refuses a commit that is not a SHA', async () => {
    const { ctx } = context({ entityRef: 'orders-api', commitSha: 'main' });
    await expect(action(deployments).handler(ctx)).rejects.toThrow(
      'commitSha: "main" is not a commit SHA',
    );
  });

  it('outputs a placeholder image in a dry run, without waiting', async () => {
    const { ctx } = context({ entityRef: 'orders-api', commitSha: 'dry-run' });
    await action(deployments).handler({ ...ctx, isDryRun: true });
    expect(outputs(ctx)).toEqual({
      image: 'registry.paved.local/orders-api:dry-run',
      buildId: 'dry-run',
    });
    expect(deployments.requests).toEqual([]);
  });

  it.each(
    // Template expressions get what the Create Service run would give them.
    exampleInputs(examples, 'paved:build:await', {
      'parameters.name': 'orders-api',
      "steps['publish'].output.commitHash": SHA,
    }),
  )('runs the example: %s', async (_description, input) => {
    deployments.add({ status: 'succeeded', image: IMAGE, log: 'done\n' });
    const { ctx } = context(input as any);
    await action(deployments).handler(ctx);
    expect(outputs(ctx).image).toBe(IMAGE);
  });

  it('keeps the last lines of a long read', () => {
    expect(summarizeLog('a\n\nb\n')).toEqual(['  │ a', '  │ b']);
    expect(summarizeLog('1\n2\n3\n4\n5\n6\n7')).toEqual([
      '  │ … 2 more lines',
      '  │ 3',
      '  │ 4',
      '  │ 5',
      '  │ 6',
      '  │ 7',
    ]);
  });
});

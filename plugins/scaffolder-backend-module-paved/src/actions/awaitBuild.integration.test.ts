import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
// The test runs the action against the real backend plugin it calls.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import deploymentsPlugin from '@paved/plugin-deployments-backend';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAwaitBuildAction } from './awaitBuild';

// paved:build:await against the real deployments backend (SQLite, mock
// auth), while a "builder" posts a build the way the local builder does.
// It needs no platform: builds touch neither Kubernetes nor Vault.

jest.setTimeout(60_000);

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const IMAGE = `registry.paved.local/fresh-svc:${SHA}`;

describe('paved:build:await with the deployments backend', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paved-await-build-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function start() {
    const kubeconfig = path.join(tmp, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: none, user: {token: none}}]',
        'contexts: [{name: none, context: {cluster: none, user: none}}]',
        'current-context: none',
      ].join('\n'),
    );
    const backend = await startTestBackend({
      features: [
        deploymentsPlugin,
        // A new service: its first build arrives before it is in the catalog.
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            paved: {
              platform: {
                kubeconfig,
                vault: { address: 'http://127.0.0.1:1', token: 'unused' },
              },
              environments: [],
            },
          },
        }),
      ],
    });
    const baseUrl = `http://localhost:${backend.server.port()}/api/deployments`;
    const post = async (method: string, route: string, body: object) => {
      const response = await fetch(`${baseUrl}${route}`, {
        method,
        headers: {
          Authorization: mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('paved-builder'),
            targetPluginId: 'deployments',
          }),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      return response.json();
    };
    const action = createAwaitBuildAction({
      discovery: {
        getBaseUrl: async () => baseUrl,
        getExternalBaseUrl: async () => baseUrl,
      },
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      pollIntervalMs: 50,
    });
    return { backend, post, action };
  }

  function context() {
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: {
        entityRef: 'component:default/fresh-svc',
        commitSha: SHA,
        timeoutSeconds: 30,
      },
      logger,
    }) as any;
    return { ctx, logger };
  }

  it('outputs the image once the build the builder posts succeeds', async () => {
    const { backend, post, action } = await start();
    const { ctx, logger } = context();
    const waiting = action.handler(ctx);
    await new Promise(resolve => setTimeout(resolve, 200));
    const build = await post('POST', '/builds', {
      entityRef: 'component:default/fresh-svc',
      commit: { sha: SHA, message: 'Initial commit' },
      status: 'running',
      log: 'STEP 1/2: FROM node:22-bookworm-slim\n',
    });
    await post('POST', `/builds/${build.id}/log`, {
      text: 'STEP 2/2: RUN yarn build\n',
    });
    await post('PATCH', `/builds/${build.id}`, {
      status: 'succeeded',
      image: IMAGE,
      digest: `sha256:${'c'.repeat(64)}`,
    });
    await waiting;
    expect(Object.fromEntries(ctx.output.mock.calls)).toEqual({
      image: IMAGE,
      buildId: build.id,
      digest: `sha256:${'c'.repeat(64)}`,
    });
    const lines = logger.info.mock.calls.map(c => c[0]);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  │ STEP 1/2: FROM node:22-bookworm-slim',
        '  │ STEP 2/2: RUN yarn build',
        // The seconds between the POST and the PATCH: 0, or more on a busy machine.
        expect.stringMatching(
          new RegExp(`^Build ${build.id} succeeded in \\d+ s: ${IMAGE}$`),
        ),
      ]),
    );
    await backend.stop();
  });

  it("fails with the build's message", async () => {
    const { backend, post, action } = await start();
    await post('POST', '/builds', {
      entityRef: 'component:default/fresh-svc',
      commit: { sha: SHA.slice(0, 10) },
      status: 'failed',
      message: 'the build ran past its 10 min limit',
    });
    await expect(action.handler(context().ctx)).rejects.toThrow(
      'The build of a1b2c3d failed: the build ran past its 10 min limit',
    );
    await backend.stop();
  });
});

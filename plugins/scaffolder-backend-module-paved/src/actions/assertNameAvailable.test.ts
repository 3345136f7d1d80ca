import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import {
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { initRepoAndPush } from '@backstage/plugin-scaffolder-node';
import { mockServices } from '@backstage/backend-test-utils';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAssertNameAvailableAction } from './assertNameAvailable';
import { exampleInputs } from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './assertNameAvailable.examples';

/** Creates a repository on the test remote holding one catalog-info.yaml. */
async function pushRepository(
  gitRemote: GitRemoteClient,
  name: string,
  catalogInfo: string,
) {
  const repository = await gitRemote.createRepository({ name });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paved-repo-'));
  await writeFile(path.join(dir, 'catalog-info.yaml'), catalogInfo);
  await initRepoAndPush({
    dir,
    remoteUrl: repository.cloneUrl,
    auth: { username: 'paved', password: '' },
    logger: mockServices.logger.mock(),
    defaultBranch: 'main',
  });
  await rm(dir, { recursive: true, force: true });
}

const goldenPathEntity = (name: string, owner: string) => `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  annotations:
    paved.dev/golden-path: create-service
spec:
  type: service
  owner: ${owner}
  lifecycle: experimental
`;

// A real git remote with two pushes: more than Jest's 5 s on a busy machine.
jest.setTimeout(60_000);

describe('paved:name:assert-available', () => {
  let remote: TestGitRemote;
  let gitRemote: GitRemoteClient;

  beforeAll(async () => {
    remote = await startTestGitRemote();
    gitRemote = new GitRemoteClient(remote.baseUrl, 'paved');
    await pushRepository(gitRemote, 'orphan-repo', 'kind: Component\n');
    await pushRepository(
      gitRemote,
      'half-done',
      goldenPathEntity('half-done', 'group:default/storefront-team'),
    );
    await gitRemote.createRepository({ name: 'never-pushed' });
  });
  afterAll(() => remote.stop());

  const catalog = catalogServiceMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-service', namespace: 'default' },
        spec: {
          type: 'service',
          owner: 'group:default/payments-team',
          lifecycle: 'production',
        },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'data-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
    ],
  });
  const run = (name: string, owner?: string) => {
    const context = createMockActionContext({ input: { name, owner } });
    return createAssertNameAvailableAction({ catalog, gitRemote })
      .handler(context)
      .then(() => context.output);
  };

  it('accepts a free, valid name', async () => {
    const output = await run('orders-api');
    expect(output).toHaveBeenCalledWith('resuming', false);
  });

  it.each(['Orders', 'o', '9lives', 'orders_api', 'a'.repeat(40), 'bad name'])(
    'refuses the invalid name %j and says what is allowed',
    async name => {
      await expect(run(name)).rejects.toThrow(InputError);
      await expect(run(name)).rejects.toThrow(
        /lowercase letters, digits and "-"/,
      );
    },
  );

  it('refuses a name a component already has, naming it and its owner', async () => {
    await expect(run('payments-service')).rejects.toThrow(
      'The name "payments-service" is already used by Component default/payments-service (owner: group:default/payments-team)',
    );
  });

  it('refuses a name taken by an entity of any kind', async () => {
    await expect(run('data-team')).rejects.toThrow(
      /already used by Group default\/data-team/,
    );
  });

  it('resumes a golden-path repository of the same name and owner that never reached the catalog, or one nothing was pushed to', async () => {
    const output = await run('half-done', 'group:default/storefront-team');
    expect(output).toHaveBeenCalledWith('resuming', true);
    expect(await run('never-pushed')).toHaveBeenCalledWith('resuming', true);
  });

  it('refuses a golden-path repository of another owner', async () => {
    await expect(
      run('half-done', 'group:default/payments-team'),
    ).rejects.toThrow(/A repository named "half-done" already exists/);
  });

  it('refuses a name whose repository already exists on the git remote', async () => {
    await expect(run('orphan-repo')).rejects.toThrow(
      `A repository named "orphan-repo" already exists at ${remote.baseUrl}/paved/orphan-repo`,
    );
  });

  it.each(
    exampleInputs(examples, 'paved:name:assert-available', {
      'parameters.name': 'inventory-api',
    }),
  )('runs its example: %s', async (_description, input) => {
    const context = createMockActionContext({ input: input as any });
    await createAssertNameAvailableAction({ catalog, gitRemote }).handler(
      context,
    );
    expect(context.output).toHaveBeenCalledWith('resuming', false);
  });
});

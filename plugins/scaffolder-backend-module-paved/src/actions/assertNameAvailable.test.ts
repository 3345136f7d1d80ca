import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import {
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { createAssertNameAvailableAction } from './assertNameAvailable';

describe('paved:name:assert-available', () => {
  let remote: TestGitRemote;
  let gitRemote: GitRemoteClient;

  beforeAll(async () => {
    remote = await startTestGitRemote();
    gitRemote = new GitRemoteClient(remote.baseUrl, 'paved');
    await gitRemote.createRepository({ name: 'orphan-repo' });
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
  const run = (name: string) =>
    createAssertNameAvailableAction({ catalog, gitRemote }).handler(
      createMockActionContext({ input: { name } }),
    );

  it('accepts a free, valid name', async () => {
    await expect(run('orders-api')).resolves.toBeUndefined();
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

  it('refuses a name whose repository already exists on the git remote', async () => {
    await expect(run('orphan-repo')).rejects.toThrow(
      `A repository named "orphan-repo" already exists at ${remote.baseUrl}/paved/orphan-repo`,
    );
  });
});

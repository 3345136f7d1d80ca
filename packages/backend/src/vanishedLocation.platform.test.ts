import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  GitRemoteClient,
  gitRemoteUrlReaderFactory,
} from '@paved/plugin-git-remote-node';
import {
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  backendDatabaseConfig,
  sqliteAndPostgres,
} from './__testUtils__/databaseConfig';
import { poll } from './__testUtils__/helpers';

// A registered location whose repository vanished from the git remote (issue 12): the
// catalog keeps the entity it last read and shows the reason, with what to do, on the
// location's entity, instead of dropping anything silently. Real catalog, real git remote.

const git = promisify(execFile);

describe('a registered location whose repository vanished', () => {
  const databases = sqliteAndPostgres();
  let remote: TestGitRemote;

  beforeAll(async () => {
    remote = await startTestGitRemote();
  });
  afterAll(() => remote?.stop());

  it.each(databases.eachSupportedId())(
    'keeps its entity and reports the location with what to do, on %s',
    async (databaseId: TestDatabaseId) => {
      const name = `vanish-${randomBytes(3).toString('hex')}`;
      const client = new GitRemoteClient(remote.baseUrl, 'paved');
      const repo = await client.createRepository({ name });
      const work = await mkdtemp(path.join(os.tmpdir(), 'paved-vanish-'));
      await writeFile(
        path.join(work, 'catalog-info.yaml'),
        `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: experimental
  owner: group:default/storefront-team
`,
      );
      const run = (...args: string[]) =>
        git(
          'git',
          ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
          { cwd: work },
        );
      await run('init', '-q', '-b', 'main');
      await run('add', '.');
      await run('commit', '-qm', 'first');
      await run('push', '-q', repo.cloneUrl, 'main');
      await rm(work, { recursive: true, force: true });

      const database = await backendDatabaseConfig(databases, databaseId);
      const backend = await startTestBackend({
        features: [
          catalogPlugin,
          gitRemoteUrlReaderFactory,
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: { database },
              paved: { gitRemote: { baseUrl: remote.baseUrl } },
              catalog: {
                rules: [{ allow: ['Component', 'Location'] }],
                processingInterval: { seconds: 1 },
              },
            },
          }),
        ],
      });
      try {
        const api = `http://localhost:${backend.server.port()}/api/catalog`;
        const headers = {
          'content-type': 'application/json',
          authorization: mockCredentials.user.header('user:default/guest'),
        };
        const target = `${remote.baseUrl}/paved/${name}/blob/main/catalog-info.yaml`;
        const registered = await fetch(`${api}/locations`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'url', target }),
        });
        expect(registered.status).toBe(201);
        const getComponent = () =>
          fetch(`${api}/entities/by-name/component/default/${name}`, {
            headers,
          });
        await poll(`component ${name} in the catalog`, async () =>
          (await getComponent()).ok ? true : undefined,
        );

        // The repository vanishes (deleted on the remote, or a remote started empty).
        await rm(path.join(remote.root, 'paved', `${name}.git`), {
          recursive: true,
          force: true,
        });

        // The location's entity carries the reason and what to do...
        const locationErrors = await poll(
          'the location entity to report the vanished repository',
          async () => {
            const response = await fetch(
              `${api}/entities/by-query?filter=kind=location`,
              { headers },
            );
            const items: Entity[] = (await response.json()).items;
            const location = items.find(
              e =>
                (e.spec?.target as string | undefined) === target ||
                (e.spec?.targets as string[] | undefined)?.includes(target),
            );
            const errors = ((location as any)?.status?.items ?? []).filter(
              (i: any) => i.level === 'error',
            );
            return errors.length ? errors : undefined;
          },
          120_000,
        );
        expect(locationErrors[0].error.name).toBe('NotFoundError');
        expect(locationErrors[0].error.message).toContain(
          `repository paved/${name} no longer exists on the git remote ${remote.baseUrl}`,
        );
        expect(locationErrors[0].error.message).toContain(
          'DELETE /api/catalog/locations/<id>',
        );
        // ...and the entity read from it before is still there.
        expect((await getComponent()).status).toBe(200);
      } finally {
        await backend.stop();
      }
    },
    240_000,
  );
});

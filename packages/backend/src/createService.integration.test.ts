import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { gitRemoteUrlReaderFactory } from '@paved/plugin-git-remote-node';
import {
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import scaffolderModulePaved from '@paved/plugin-scaffolder-backend-module-paved';
import {
  backendDatabaseConfig,
  sqliteAndPostgres,
} from './__testUtils__/databaseConfig';
import { demoCatalogConfig, poll } from './__testUtils__/helpers';

// "Create Service" end to end in the backend: the real scaffolder runs the real
// template from templates/, publishes to a real git remote, and the real catalog
// reads the new repository back. On SQLite and on PostgreSQL.

describe('Create Service', () => {
  const databases = sqliteAndPostgres();
  let remote: TestGitRemote;
  beforeAll(async () => {
    remote = await startTestGitRemote();
  });
  afterAll(() => remote.stop());

  it.each(databases.eachSupportedId())(
    'publishes, registers and refuses bad names on %s',
    async (databaseId: TestDatabaseId) => {
      const database = await backendDatabaseConfig(databases, databaseId);
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleTemplateKind,
          scaffolderPlugin,
          scaffolderModulePaved,
          gitRemoteUrlReaderFactory,
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: { database },
              paved: { gitRemote: { baseUrl: remote.baseUrl, owner: 'paved' } },
              catalog: demoCatalogConfig,
            },
          }),
        ],
      });
      const base = `http://localhost:${server.port()}/api`;
      const headers = {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header('user:default/guest'),
      };
      for (const ref of [
        'template/default/create-service',
        'component/default/payments-service',
      ]) {
        await poll(`${ref} in the catalog`, async () => {
          const r = await fetch(`${base}/catalog/entities/by-name/${ref}`, {
            headers,
          });
          return r.ok ? true : undefined;
        });
      }
      // A fresh name per database: both runs share one git remote.
      const name = `orders-${databaseId.toLowerCase().replace(/_/g, '')}`;
      const values = (overrides: Record<string, string>) => ({
        name,
        owner: 'group:default/storefront-team',
        description: 'Takes and tracks customer orders',
        language: 'typescript',
        system: 'system:default/checkout',
        ...overrides,
      });
      const createTask = (v: Record<string, string>) =>
        fetch(`${base}/scaffolder/v2/tasks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            templateRef: 'template:default/create-service',
            values: v,
          }),
        });
      const finish = async (taskId: string) => {
        const task = await poll('the task to finish', async () => {
          const r = await fetch(`${base}/scaffolder/v2/tasks/${taskId}`, {
            headers,
          });
          const body = await r.json();
          return ['completed', 'failed'].includes(body.status)
            ? body
            : undefined;
        });
        const events = await (
          await fetch(`${base}/scaffolder/v2/tasks/${taskId}/events`, {
            headers,
          })
        ).json();
        const log = events.map((e: any) => e.body.message ?? '').join('\n');
        return { status: task.status as string, log };
      };

      // An invalid name is refused before any task exists, naming the field and the rule.
      const invalid = await createTask(values({ name: 'Orders_API' }));
      expect(invalid.status).toBe(400);
      expect(JSON.stringify(await invalid.json())).toContain(
        'instance.name does not match pattern',
      );

      // A name the catalog already has fails at the first step: nothing is created.
      const taken = await createTask(values({ name: 'payments-service' }));
      expect(taken.status).toBe(201);
      const takenRun = await finish((await taken.json()).id);
      expect(takenRun.status).toBe('failed');
      expect(takenRun.log).toContain(
        'The name "payments-service" is already used by Component default/payments-service',
      );
      expect(takenRun.log).toContain(
        'Skipping step publish because a previous step failed',
      );
      expect(
        (await fetch(`${remote.baseUrl}/api/repos/paved/payments-service`))
          .status,
      ).toBe(404);

      // A fresh name: repository published, component registered from it.
      const created = await createTask(values({}));
      expect(created.status).toBe(201);
      const run = await finish((await created.json()).id);
      expect(run.log).toContain('Run completed with status: completed');
      expect(run.status).toBe('completed');

      const files = await (
        await fetch(`${remote.baseUrl}/api/repos/paved/${name}/files?ref=main`)
      ).json();
      expect(files.files).toEqual(
        expect.arrayContaining([
          '.github/workflows/ci.yaml',
          'Dockerfile',
          'catalog-info.yaml',
          'deploy/kubernetes/deployment.yaml',
          'docs/index.md',
          'mkdocs.yml',
          'package.json',
          'src/server.ts',
        ]),
      );
      const workflow = await (
        await fetch(
          `${remote.baseUrl}/paved/${name}/raw/main/.github/workflows/ci.yaml`,
        )
      ).text();
      expect(workflow).toContain('${{ github.sha }}'); // copied, not templated

      // The template waits for the catalog: the entity is there once the task completes.
      const registered = await fetch(
        `${base}/catalog/entities/by-name/component/default/${name}`,
        { headers },
      );
      expect(registered.status).toBe(200);
      const entity = await registered.json();
      expect(entity.spec).toEqual({
        type: 'service',
        lifecycle: 'experimental',
        owner: 'group:default/storefront-team',
        system: 'system:default/checkout',
      });
      expect(entity.metadata.description).toBe(
        'Takes and tracks customer orders',
      );
      expect(
        entity.metadata.annotations['backstage.io/managed-by-location'],
      ).toBe(`url:${remote.baseUrl}/paved/${name}/blob/main/catalog-info.yaml`);

      // Running it again for the same name is refused: the name is now taken.
      const again = await finish(
        (
          await (await createTask(values({}))).json()
        ).id,
      );
      expect(again.status).toBe('failed');
      expect(again.log).toContain(
        `The name "${name}" is already used by Component`,
      );
    },
    120_000,
  );
});

import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import techdocsPlugin from '@backstage/plugin-techdocs-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultTechDocsPrebuilder } from './DefaultTechDocsPrebuilder';

// Real TechDocs (mkdocs-techdocs-core from the venv that scripts/paved puts on PATH)
// building the demo catalog's docs.
const repoRoot = path.resolve(__dirname, '../../../../..');

function component(name: string, catalogInfo: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      annotations: {
        'backstage.io/techdocs-ref': 'dir:.',
        'backstage.io/managed-by-location': `file:${catalogInfo}`,
        'backstage.io/managed-by-origin-location': `file:${catalogInfo}`,
      },
    },
    spec: {
      type: 'library',
      owner: 'group:default/platform-team',
      lifecycle: 'production',
    },
  };
}

describe('DefaultTechDocsPrebuilder', () => {
  let publishDirectory: string;

  beforeAll(async () => {
    publishDirectory = await mkdtemp(path.join(os.tmpdir(), 'paved-techdocs-'));
  });
  afterAll(() => rm(publishDirectory, { recursive: true, force: true }));

  it('builds the docs of every entity that has them and reports the ones that fail', async () => {
    const entities: Entity[] = [
      component(
        'money-lib',
        path.join(repoRoot, 'catalog/components/money-lib/catalog-info.yaml'),
      ),
      // A directory without mkdocs.yml: the build fails, and the others still build.
      component('no-docs', path.join(repoRoot, 'templates/all.yaml')),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'platform-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
    ];
    const { server } = await startTestBackend({
      features: [
        techdocsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            techdocs: {
              builder: 'local',
              generator: { runIn: 'local' },
              publisher: { type: 'local', local: { publishDirectory } },
            },
          },
        }),
      ],
    });
    const logger = mockServices.logger.mock();
    const prebuilder = new DefaultTechDocsPrebuilder({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      discovery: mockServices.discovery.mock({
        getBaseUrl: async (pluginId: string) =>
          `http://localhost:${server.port()}/api/${pluginId}`,
      }),
      logger,
    });

    const results = await prebuilder.prebuildAll();

    expect(results.map(r => [r.entity.name, r.outcome])).toEqual([
      ['money-lib', 'built'],
      ['no-docs', 'failed'],
    ]);
    expect(results[1].error).toMatch(/mkdocs/i);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'TechDocs prebuild of component:default/no-docs failed',
      ),
    );
    const index = await fetch(
      `http://localhost:${server.port()}/api/techdocs/static/docs/default/component/money-lib/index.html`,
    );
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('money-lib');
    const searchIndex = await fetch(
      `http://localhost:${server.port()}/api/techdocs/static/docs/default/component/money-lib/search/search_index.json`,
    );
    expect(searchIndex.status).toBe(200);
  }, 120_000);
});

import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import techdocsPlugin from '@backstage/plugin-techdocs-backend';
import { CatalogService } from '@backstage/plugin-catalog-node';
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

const uiKit = component(
  'ui-kit',
  path.join(repoRoot, 'catalog/components/ui-kit/catalog-info.yaml'),
);

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
        catalogServiceMock.factory({ entities: [...entities, uiKit] }),
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
    // What the prebuilder sees of the catalog grows during the test.
    const liveCatalog = {
      streamEntities: (...args: Parameters<CatalogService['streamEntities']>) =>
        catalogServiceMock({ entities }).streamEntities(...args),
    } as CatalogService;
    const prebuilder = new DefaultTechDocsPrebuilder({
      catalog: liveCatalog,
      auth: mockServices.auth(),
      discovery: mockServices.discovery.mock({
        getBaseUrl: async (pluginId: string) =>
          `http://localhost:${server.port()}/api/${pluginId}`,
      }),
      logger,
    });

    const results = await prebuilder.prebuildDue();

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

    // The next sweep has nothing due: built docs wait for the rebuild interval.
    expect(await prebuilder.prebuildDue()).toEqual([]);

    // An entity registered since (as Create Service does) is built by the next sweep.
    entities.push(uiKit);
    const next = await prebuilder.prebuildDue();
    expect(next.map(r => [r.entity.name, r.outcome])).toEqual([
      ['ui-kit', 'built'],
    ]);
  }, 120_000);

  it('rebuilds everything once the rebuild interval has passed', async () => {
    const entities = [
      component(
        'money-lib',
        path.join(repoRoot, 'catalog/components/money-lib/catalog-info.yaml'),
      ),
    ];
    const sync = jest.fn(
      async () => new Response('event: finish\ndata: {"updated":false}\n\n'),
    );
    const originalFetch = global.fetch;
    global.fetch = sync as typeof fetch;
    try {
      const prebuilder = new DefaultTechDocsPrebuilder({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => 'http://techdocs.invalid/api/techdocs',
        }),
        logger: mockServices.logger.mock(),
        rebuildAfterMs: 0,
      });
      expect((await prebuilder.prebuildDue()).map(r => r.outcome)).toEqual([
        'up-to-date',
      ]);
      expect((await prebuilder.prebuildDue()).map(r => r.outcome)).toEqual([
        'up-to-date',
      ]);
      expect(sync).toHaveBeenCalledTimes(2);
      expect(sync).toHaveBeenCalledWith(
        'http://techdocs.invalid/api/techdocs/sync/default/component/money-lib',
        expect.objectContaining({
          headers: expect.objectContaining({ accept: 'text/event-stream' }),
        }),
      );
    } finally {
      global.fetch = originalFetch;
    }
  });
});

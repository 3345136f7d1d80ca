import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PROVIDES_API,
} from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import {
  backendDatabaseConfig,
  sqliteAndPostgres,
} from './__testUtils__/databaseConfig';
import { demoCatalogConfig, poll } from './__testUtils__/helpers';

// The demo catalog (catalog/) and the golden paths (templates/) ingested by the
// real catalog backend, on SQLite and on PostgreSQL. `npm test` starts
// PostgreSQL and sets BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.

describe('catalog ingestion of catalog/ and templates/', () => {
  const databases = sqliteAndPostgres();

  it.each(databases.eachSupportedId())(
    'ingests every entity with its relations, without errors, on %s',
    async (databaseId: TestDatabaseId) => {
      const database = await backendDatabaseConfig(databases, databaseId);
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleTemplateKind,
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: { backend: { database }, catalog: demoCatalogConfig },
          }),
        ],
      });
      const api = `http://localhost:${server.port()}/api/catalog`;
      const query = async (filter: string): Promise<Entity[]> => {
        const response = await fetch(
          `${api}/entities/by-query?filter=${filter}&limit=500`,
        );
        expect(response.status).toBe(200);
        return (await response.json()).items;
      };

      // Relations are complete once the last entity's relations are stitched.
      const components = await poll('10 components with owners', async () => {
        const items = await query('kind=component');
        const stitched = items.filter(e =>
          e.relations?.some(r => r.type === RELATION_OWNED_BY),
        );
        return stitched.length === 10 ? items : undefined;
      });
      expect(components.map(c => c.metadata.name).sort()).toEqual([
        'cart-service',
        'checkout-service',
        'fraud-detector',
        'money-lib',
        'payments-service',
        'product-catalog',
        'promo-engine-legacy',
        'service-chassis',
        'storefront-web',
        'ui-kit',
      ]);
      for (const component of components) {
        expect(
          component.metadata.annotations?.['backstage.io/techdocs-ref'],
        ).toBe('dir:.');
        expect(component.spec?.lifecycle).toMatch(
          /production|experimental|deprecated/,
        );
      }

      // Every kind ends processed, in no set order: wait for them (bounded), then compare.
      const countKinds = async () =>
        Object.fromEntries(
          await Promise.all(
            [
              'group',
              'user',
              'domain',
              'system',
              'api',
              'resource',
              'template',
            ].map(async kind => [kind, (await query(`kind=${kind}`)).length]),
          ),
        );
      let counts = await countKinds();
      await poll('every kind of entity', async () => {
        counts = await countKinds();
        return Object.values(counts).every(n => Number(n) > 0) &&
          counts.api === 3 &&
          counts.resource === 5
          ? true
          : undefined;
      }).catch(() => undefined);
      expect(counts).toEqual({
        group: 5,
        user: 12,
        domain: 3,
        system: 4,
        api: 3,
        resource: 5,
        template: 2,
      });

      const payments = components.find(
        c => c.metadata.name === 'payments-service',
      )!;
      expect(payments.relations).toEqual(
        expect.arrayContaining([
          { type: RELATION_OWNED_BY, targetRef: 'group:default/payments-team' },
          {
            type: RELATION_PROVIDES_API,
            targetRef: 'api:default/payments-api',
          },
          { type: 'dependsOn', targetRef: 'resource:default/payments-db' },
          { type: 'partOf', targetRef: 'system:default/payment-processing' },
        ]),
      );

      const [paymentsApi] = await query('kind=api,metadata.name=payments-api');
      expect(paymentsApi.spec?.definition).toMatch(/^openapi: 3\./);
      expect(paymentsApi.spec?.definition).toContain('Idempotency-Key');

      // No entity carries a processing error (a dangling ref or a bad file would).
      const all = await query('kind=location');
      const withErrors = [...components, ...all].filter(e =>
        (e as any).status?.items?.some(
          (i: { level: string }) => i.level === 'error',
        ),
      );
      expect(withErrors).toEqual([]);
    },
    // Every file of catalog/ and templates/ processed: over a minute on 2 busy cores.
    180_000,
  );
});

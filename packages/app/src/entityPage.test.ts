import { Entity, EntityRelation } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import apiDocsPlugin from '@backstage/plugin-api-docs/alpha';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import deploymentsPlugin from '@paved/plugin-deployments';
// The test reads the app's config file from disk; the app itself never does.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from 'fs';
// eslint-disable-next-line no-restricted-imports
import { resolve } from 'path';
import { parse } from 'yaml';

// The entity Overview is assembled from app-config.yaml's app.extensions:
// extensions listed there come first, in that order, and a filter set there
// replaces the card's own. This reads the file the app is built with, and
// gives each card the configuration found there.

type ExtensionEntry = [id: string, value?: { config?: { filter?: unknown } }];

const appConfig = parse(
  readFileSync(resolve(__dirname, '../../../app-config.yaml'), 'utf8'),
);
const entries: ExtensionEntry[] = appConfig.app.extensions.map(
  (entry: string | Record<string, ExtensionEntry[1]>) =>
    typeof entry === 'string' ? [entry] : Object.entries(entry)[0],
);
const entityCards = entries
  .map(([id]) => id)
  .filter(id => id.startsWith('entity-card:'));

const plugins: Record<string, { getExtension(id: string): any }> = {
  catalog: catalogPlugin as any,
  'api-docs': apiDocsPlugin as any,
  deployments: deploymentsPlugin as any,
};

const pluginOf = (id: string) =>
  plugins[id.slice('entity-card:'.length).split('/')[0]];

/** Whether the card `id`, configured as app-config.yaml says, shows on the Overview of `entity`. */
function shows(id: string, entity: Entity): boolean {
  const config = entries.find(([entryId]) => entryId === id)?.[1]?.config;
  if (!config?.filter)
    throw new Error(`${id} has no filter in app-config.yaml`);
  const tester = createExtensionTester(pluginOf(id).getExtension(id), {
    config,
  });
  const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction) as
    | ((e: Entity) => boolean)
    | undefined;
  return Boolean(filter?.(entity));
}

const relation = (type: string, targetRef: string): EntityRelation => ({
  type,
  targetRef,
});

const component = (relations: EntityRelation[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    annotations: { 'paved.dev/golden-path': 'create-service' },
  },
  spec: { type: 'service', owner: 'group:default/team-a' },
  relations: [relation('ownedBy', 'group:default/team-a'), ...relations],
});

describe('the entity Overview', () => {
  it('starts with the Alerts card, then the Deployments card, then the Builds card', () => {
    expect(entityCards.slice(0, 3)).toEqual([
      'entity-card:deployments/alerts',
      'entity-card:deployments/deployments',
      'entity-card:deployments/builds',
    ]);
  });

  it('lists the Insights card after the Deployments, Builds and Secrets cards', () => {
    expect(entityCards.slice(0, 5)).toEqual([
      'entity-card:deployments/alerts',
      'entity-card:deployments/deployments',
      'entity-card:deployments/builds',
      'entity-card:deployments/secrets',
      'entity-card:deployments/insights',
    ]);
  });

  it.each(entityCards)('configures %s, which exists', id => {
    expect(pluginOf(id)).toBeDefined();
    expect(() => pluginOf(id).getExtension(id)).not.toThrow();
  });

  it('leaves out the relation cards of a service that has no such relations', () => {
    const lonely = component([]);
    for (const id of [
      'entity-card:catalog/depends-on-components',
      'entity-card:catalog/depends-on-resources',
      'entity-card:catalog/has-subcomponents',
      'entity-card:api-docs/provided-apis',
      'entity-card:api-docs/consumed-apis',
    ]) {
      expect([id, shows(id, lonely)]).toEqual([id, false]);
    }
  });

  it('shows each relation card when the relation is there', () => {
    const connected = component([
      relation('dependsOn', 'component:default/money-lib'),
      relation('dependsOn', 'resource:default/payments-db'),
      relation('hasPart', 'component:default/payments-worker'),
      relation('providesApi', 'api:default/payments-api'),
      relation('consumesApi', 'api:default/fraud-api'),
    ]);
    for (const id of [
      'entity-card:catalog/depends-on-components',
      'entity-card:catalog/depends-on-resources',
      'entity-card:catalog/has-subcomponents',
      'entity-card:api-docs/provided-apis',
      'entity-card:api-docs/consumed-apis',
    ]) {
      expect([id, shows(id, connected)]).toEqual([id, true]);
    }
  });

  it('tells a dependency on a resource from one on a component', () => {
    const withDatabase = component([
      relation('dependsOn', 'resource:default/orders-api-database'),
    ]);
    expect(
      shows('entity-card:catalog/depends-on-resources', withDatabase),
    ).toBe(true);
    expect(
      shows('entity-card:catalog/depends-on-components', withDatabase),
    ).toBe(false);
  });

  it('keeps the relation cards to their kinds', () => {
    const system = {
      ...component([relation('hasPart', 'component:default/orders-api')]),
      kind: 'System',
    };
    expect(shows('entity-card:catalog/has-components', system)).toBe(true);
    expect(shows('entity-card:catalog/has-resources', system)).toBe(false);
    expect(shows('entity-card:catalog/has-subcomponents', system)).toBe(false);
  });
});

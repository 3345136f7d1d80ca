import { Entity } from '@backstage/catalog-model';
import { adoptionByTeam, channelOf, ownerOf } from './adoption';

const component = (
  name: string,
  owner: string,
  options: { type?: string; golden?: boolean; database?: string } = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: options.golden
      ? { 'paved.dev/golden-path': 'create-service' }
      : {},
  },
  spec: {
    type: options.type ?? 'service',
    owner,
    ...(options.database ? { dependsOn: [options.database] } : {}),
  },
});

describe('channelOf', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/130', 'portal'],
    ['paved-cli/0.3.0 node/22', 'cli'],
    ['node-fetch', 'other'],
    [undefined, 'other'],
  ] as const)('%s is %s', (agent, channel) => {
    expect(channelOf(agent)).toBe(channel);
  });
});

describe('adoptionByTeam', () => {
  it('counts services on the golden path, with a Paved database, and deploys by channel', () => {
    const components = [
      component('orders', 'storefront-team', {
        golden: true,
        database: 'resource:default/orders-database',
      }),
      component('cart', 'group:default/storefront-team', { golden: true }),
      component('legacy', 'storefront-team'),
      component('site', 'storefront-team', { type: 'website', golden: true }),
      component('ledger', 'finance-team', {
        golden: true,
        database: 'resource:ledger-database',
      }),
      // A database of another name is not the one Paved provisions.
      component('billing', 'finance-team', {
        golden: true,
        database: 'resource:shared-db',
      }),
    ];
    const deployments = [
      { entityRef: 'component:default/orders', userAgent: 'Mozilla/5.0' },
      { entityRef: 'component:default/orders', userAgent: 'paved-cli/1.0' },
      { entityRef: 'component:default/ledger', userAgent: 'Mozilla/5.0' },
      { entityRef: 'component:default/gone' },
    ];
    expect(adoptionByTeam(components, deployments)).toEqual([
      {
        key: 'organisation',
        figures: {
          services: 5,
          goldenPath: 4,
          goldenPathShare: 0.8,
          withDatabase: 2,
          databaseShare: 0.5,
          deploys: { portal: 2, cli: 1, other: 1 },
        },
      },
      {
        key: 'group:default/finance-team',
        figures: {
          services: 2,
          goldenPath: 2,
          goldenPathShare: 1,
          withDatabase: 1,
          databaseShare: 0.5,
          deploys: { portal: 1, cli: 0, other: 0 },
        },
      },
      {
        key: 'group:default/storefront-team',
        figures: {
          services: 3,
          goldenPath: 2,
          goldenPathShare: 2 / 3,
          withDatabase: 1,
          databaseShare: 0.5,
          deploys: { portal: 1, cli: 1, other: 0 },
        },
      },
    ]);
  });

  it('has no shares without services', () => {
    const [organisation] = adoptionByTeam([], []);
    expect(organisation.figures.goldenPathShare).toBeNull();
    expect(organisation.figures.databaseShare).toBeNull();
  });

  it('resolves an owner as the catalog does', () => {
    expect(ownerOf(component('a', 'Team-A'))).toBe('group:default/team-a');
    expect(ownerOf(component('a', 'user:jo'))).toBe('user:default/jo');
    expect(ownerOf(component('a', 'group:ops/sre'))).toBe('group:ops/sre');
  });
});

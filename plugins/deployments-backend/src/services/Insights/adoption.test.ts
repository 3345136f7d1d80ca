import { Entity } from '@backstage/catalog-model';
import {
  adoptionByTeam,
  channelOf,
  countTemplateRuns,
  ownerOf,
  TemplateRun,
} from './adoption';

// A 30-day window: five weeks counted back from its end, the oldest 2 days long.
const window = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-03-31T00:00:00.000Z',
};
const noRuns = {
  createService: 0,
  provisionDatabase: 0,
  weekly: [
    '2026-03-01T00:00:00.000Z',
    '2026-03-03T00:00:00.000Z',
    '2026-03-10T00:00:00.000Z',
    '2026-03-17T00:00:00.000Z',
    '2026-03-24T00:00:00.000Z',
  ].map(weekStart => ({ weekStart, createService: 0, provisionDatabase: 0 })),
};

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
    expect(adoptionByTeam(components, deployments, [], window)).toEqual([
      {
        key: 'organisation',
        figures: {
          services: 5,
          goldenPath: 4,
          goldenPathShare: 0.8,
          withDatabase: 2,
          databaseShare: 0.5,
          deploys: { portal: 2, cli: 1, other: 1 },
          templateRuns: noRuns,
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
          templateRuns: noRuns,
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
          templateRuns: noRuns,
        },
      },
    ]);
  });

  it('has no template runs when the scaffolder could not be asked', () => {
    const [organisation] = adoptionByTeam([], [], undefined, window);
    expect(organisation.figures.templateRuns).toBeNull();
  });

  it('has no shares without services', () => {
    const [organisation] = adoptionByTeam([], [], [], window);
    expect(organisation.figures.goldenPathShare).toBeNull();
    expect(organisation.figures.databaseShare).toBeNull();
  });

  it('resolves an owner as the catalog does', () => {
    expect(ownerOf(component('a', 'Team-A'))).toBe('group:default/team-a');
    expect(ownerOf(component('a', 'user:jo'))).toBe('user:default/jo');
    expect(ownerOf(component('a', 'group:ops/sre'))).toBe('group:ops/sre');
  });

  it("counts each team's golden-path runs: Create Service by its owner, Provision Database by its component's owner", () => {
    const components = [
      component('orders', 'storefront-team', { golden: true }),
      component('ledger', 'finance-team', { golden: true }),
    ];
    const runs: TemplateRun[] = [
      {
        template: 'template:default/create-service',
        createdAt: '2026-03-30T10:00:00.000Z',
        parameters: { name: 'cart', owner: 'group:default/storefront-team' },
      },
      {
        template: 'template:default/provision-database',
        createdAt: '2026-03-29T10:00:00.000Z',
        parameters: { component: 'component:default/ledger' },
      },
    ];
    const groups = adoptionByTeam(components, [], runs, window);
    expect(
      groups.map(g => [
        g.key,
        g.figures.templateRuns?.createService,
        g.figures.templateRuns?.provisionDatabase,
      ]),
    ).toEqual([
      ['organisation', 1, 1],
      ['group:default/finance-team', 0, 1],
      ['group:default/storefront-team', 1, 0],
    ]);
  });
});

describe('countTemplateRuns', () => {
  const run = (template: string, createdAt: string): TemplateRun => ({
    template,
    createdAt,
    parameters: {},
  });

  it('counts the two golden paths per week, leaving out other templates and runs outside the window', () => {
    const figures = countTemplateRuns(
      [
        run('template:default/create-service', '2026-03-30T23:59:59.000Z'),
        run('create-service', '2026-03-24T00:00:00.000Z'),
        run('template:default/create-service', '2026-03-23T23:59:59.000Z'),
        run('template:default/provision-database', '2026-03-02T00:00:00.000Z'),
        run('template:default/provision-database', '2026-03-01T00:00:00.000Z'),
        // Outside the window, on both sides.
        run('template:default/create-service', '2026-02-28T23:59:59.000Z'),
        run('template:default/create-service', '2026-03-31T00:00:01.000Z'),
        // Not a golden path.
        run('template:default/docs-site', '2026-03-30T00:00:00.000Z'),
      ],
      window,
    );
    expect(figures.createService).toBe(3);
    expect(figures.provisionDatabase).toBe(2);
    expect(figures.weekly).toEqual([
      {
        weekStart: '2026-03-01T00:00:00.000Z',
        createService: 0,
        provisionDatabase: 2,
      },
      {
        weekStart: '2026-03-03T00:00:00.000Z',
        createService: 0,
        provisionDatabase: 0,
      },
      {
        weekStart: '2026-03-10T00:00:00.000Z',
        createService: 0,
        provisionDatabase: 0,
      },
      {
        weekStart: '2026-03-17T00:00:00.000Z',
        createService: 1,
        provisionDatabase: 0,
      },
      {
        weekStart: '2026-03-24T00:00:00.000Z',
        createService: 2,
        provisionDatabase: 0,
      },
    ]);
  });

  it('has one week in a 7-day window', () => {
    expect(
      countTemplateRuns([], {
        from: '2026-03-24T00:00:00.000Z',
        to: '2026-03-31T00:00:00.000Z',
      }).weekly,
    ).toEqual([
      {
        weekStart: '2026-03-24T00:00:00.000Z',
        createService: 0,
        provisionDatabase: 0,
      },
    ]);
  });
});

import { Entity } from '@backstage/catalog-model';
import {
  testCatalog,
  testCredentials,
  testLogger,
} from '@paved/plugin-provisioning-node/testDoubles';
import {
  AlertmanagerWebhook,
  ServiceAlert,
} from '@paved/plugin-deployments-common';
import { testDatabase } from '../../__testUtils__/database';
import { AlertEntityResolver, AlertsService } from './AlertsService';
import { KnexAlertStore } from './AlertStore';

// The alert rules with SQLite in memory: a notification per transition (first firing,
// resolution), never per delivery; service tokens only; alerts of no entity reported back.
// Real Alertmanager and Prometheus delivering to the backend: alerts.platform.test.ts.

const orders: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'orders',
      'paved.dev/kubernetes-namespace-staging': 'orders-staging',
    },
  },
  spec: { type: 'service', owner: 'group:default/team-a', lifecycle: 'x' },
};

/** The catalog's answer for the one entity above (the catalog query is the platform test's). */
const resolver: AlertEntityResolver = {
  async resolve(service, namespace) {
    return service === 'orders' && namespace === 'orders-staging'
      ? { entity: orders, environment: 'staging' }
      : undefined;
  },
};

const alert = (
  status: 'firing' | 'resolved',
  over: Partial<AlertmanagerWebhook['alerts'][number]> = {},
): AlertmanagerWebhook => ({
  version: '4',
  status,
  alerts: [
    {
      status,
      labels: {
        alertname: 'AvailabilityBudgetBurnFast',
        service: 'orders',
        namespace: 'orders-staging',
        severity: 'page',
      },
      annotations: { summary: 'orders in orders-staging is burning' },
      startsAt: '2026-03-01T10:00:00.000Z',
      endsAt:
        status === 'resolved'
          ? '2026-03-01T10:20:00.000Z'
          : '0001-01-01T00:00:00Z',
      fingerprint: 'abc123',
      ...over,
    },
  ],
});

async function setup() {
  const { database } = await testDatabase();
  const told: Array<[string, ServiceAlert]> = [];
  const service = new AlertsService({
    store: await KnexAlertStore.create(database),
    resolver,
    notifier: {
      alertFiring: async a => void told.push(['firing', a]),
      alertResolved: async a => void told.push(['resolved', a]),
    },
    catalog: testCatalog([orders]),
    logger: testLogger(),
    now: () => new Date('2026-03-01T10:30:00.000Z'),
  });
  const alertmanager = { credentials: testCredentials.service('external:am') };
  return { service, told, alertmanager };
}

describe('AlertsService', () => {
  it('tells the owners once when an alert fires and once when it resolves', async () => {
    const { service, told, alertmanager } = await setup();
    expect(await service.receive(alert('firing'), alertmanager)).toEqual({
      recorded: 1,
      notified: 1,
      unmatched: [],
    });
    // Alertmanager's repeat_interval and retries send the same alert again.
    expect(await service.receive(alert('firing'), alertmanager)).toEqual({
      recorded: 0,
      notified: 0,
      unmatched: [],
    });
    const user = { credentials: testCredentials.user() };
    expect(
      await service.list('component:default/orders', user.credentials),
    ).toMatchObject([
      { status: 'firing', environment: 'staging', severity: 'page' },
    ]);
    expect(await service.receive(alert('resolved'), alertmanager)).toEqual({
      recorded: 1,
      notified: 1,
      unmatched: [],
    });
    await service.receive(alert('resolved'), alertmanager);
    expect(told.map(([what, a]) => [what, a.id, a.resolvedAt])).toEqual([
      ['firing', 'abc123.1772359200000', undefined],
      ['resolved', 'abc123.1772359200000', '2026-03-01T10:20:00.000Z'],
    ]);
    expect(
      await service.list('component:default/orders', user.credentials),
    ).toMatchObject([
      {
        status: 'resolved',
        entityRef: 'component:default/orders',
        alertname: 'AvailabilityBudgetBurnFast',
        summary: 'orders in orders-staging is burning',
        startsAt: '2026-03-01T10:00:00.000Z',
        resolvedAt: '2026-03-01T10:20:00.000Z',
      },
    ]);
  });

  it('counts a new start of the same alert as a new instance', async () => {
    const { service, told, alertmanager } = await setup();
    await service.receive(alert('firing'), alertmanager);
    await service.receive(alert('resolved'), alertmanager);
    await service.receive(
      alert('firing', { startsAt: '2026-03-01T10:25:00.000Z' }),
      alertmanager,
    );
    expect(told.map(([what]) => what)).toEqual([
      'firing',
      'resolved',
      'firing',
    ]);
  });

  it('records a resolution it never saw fire without telling anyone', async () => {
    const { service, told, alertmanager } = await setup();
    expect(await service.receive(alert('resolved'), alertmanager)).toEqual({
      recorded: 1,
      notified: 0,
      unmatched: [],
    });
    expect(told).toEqual([]);
  });

  it('reports alerts of no entity back, and records nothing for them', async () => {
    const { service, alertmanager } = await setup();
    const payload = alert('firing');
    payload.alerts[0].labels.service = 'billing';
    expect(await service.receive(payload, alertmanager)).toEqual({
      recorded: 0,
      notified: 0,
      unmatched: ['orders-staging/billing'],
    });
  });

  it('refuses user tokens (403) and an entity the caller cannot read (404)', async () => {
    const { service } = await setup();
    await expect(
      service.receive(alert('firing'), {
        credentials: testCredentials.user(),
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      service.list('component:default/secret', testCredentials.user()),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('names a startsAt that is not a date', async () => {
    const { service, alertmanager } = await setup();
    await expect(
      service.receive(alert('firing', { startsAt: 'yesterday' }), alertmanager),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^alerts\.0\.startsAt: /),
    });
  });
});

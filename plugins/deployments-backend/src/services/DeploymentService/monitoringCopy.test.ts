import { Entity } from '@backstage/catalog-model';
import { InMemoryKubernetesClient } from '@paved/plugin-provisioning-node/testUtils';
import {
  KubernetesMonitoringPromoter,
  monitoringObjectsFor,
} from './monitoringCopy';

// A service's SLO rules, dashboard and ServiceMonitor, carried along a promotion.

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', annotations },
  spec: { type: 'service', owner: 'storefront-team', lifecycle: 'production' },
});

const serviceMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: {
    name: 'orders-api',
    namespace: 'orders-api-staging',
    uid: 'u-9',
    resourceVersion: '4',
    labels: { 'app.kubernetes.io/name': 'orders-api' },
  },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api' } },
    endpoints: [{ port: 'http', path: '/metrics' }],
  },
};

const places = {
  from: { environment: 'staging', namespace: 'orders-api-staging' },
  to: { environment: 'production', namespace: 'orders-api-production' },
};

describe('monitoringObjectsFor', () => {
  it("generates the rules and dashboard for the target namespace from the entity's tier", () => {
    const objects = monitoringObjectsFor({
      entity: entity({
        'paved.dev/tier': 'critical',
        'paved.dev/latency-threshold-seconds': '0.1',
      }),
      service: 'orders-api',
      namespace: 'orders-api-production',
      serviceMonitor,
    });
    expect(objects.map(o => `${o.kind} ${o.metadata?.name}`)).toEqual([
      'ServiceMonitor orders-api',
      'PrometheusRule orders-api-slo',
      expect.stringMatching(/^ConfigMap /),
    ]);
    for (const o of objects) {
      expect(o.metadata?.namespace).toBe('orders-api-production');
    }
    const rules = JSON.stringify((objects[1] as any).spec);
    expect(rules).toContain('namespace=\\"orders-api-production\\"');
    expect(rules).not.toContain('orders-api-staging');
    // critical: 99.9 %; the threshold from the annotation, not the tier's 0.25 s.
    expect(rules).toContain('99.9% of requests succeed');
    expect(rules).toContain('answer within 0.1s');
    // The ServiceMonitor is portable: no uid or version of the staging object.
    expect(objects[0].metadata).toEqual({
      name: 'orders-api',
      namespace: 'orders-api-production',
      labels: { 'app.kubernetes.io/name': 'orders-api' },
    });
  });

  it('is nothing for a service without a tier (it came without SLOs)', () => {
    expect(
      monitoringObjectsFor({
        entity: entity({}),
        service: 'orders-api',
        namespace: 'orders-api-production',
        serviceMonitor,
      }),
    ).toEqual([]);
  });

  it('names the annotation to fix for a tier or threshold the rules cannot be made from', () => {
    const make = (annotations: Record<string, string>) => () =>
      monitoringObjectsFor({
        entity: entity(annotations),
        service: 'orders-api',
        namespace: 'orders-api-production',
      });
    expect(make({ 'paved.dev/tier': 'gold' })).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          'paved.dev/tier: unknown tier "gold"; set one of experimental, standard, critical in catalog-info.yaml',
      }),
    );
    expect(
      make({
        'paved.dev/tier': 'standard',
        'paved.dev/latency-threshold-seconds': '0.3',
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(
          /^paved\.dev\/latency-threshold-seconds: /,
        ),
      }),
    );
  });
});

describe('KubernetesMonitoringPromoter', () => {
  it("reads the ServiceMonitor from the source's cluster and applies on the target's, again without change", async () => {
    const staging = new InMemoryKubernetesClient([serviceMonitor as any]);
    const production = new InMemoryKubernetesClient([]);
    const clusters: Record<string, InMemoryKubernetesClient> = {
      staging,
      production,
    };
    const promoter = new KubernetesMonitoringPromoter({
      forEnvironment: environment => clusters[environment],
    });
    const options = {
      entity: entity({ 'paved.dev/tier': 'standard' }),
      workload: 'orders-api',
      ...places,
    };
    await promoter.promote(options);
    const read = () =>
      production.read({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'orders-api-slo', namespace: places.to.namespace },
      });
    const first = await read();
    expect(first).toBeDefined();
    expect(
      await production.read({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'orders-api', namespace: places.to.namespace },
      }),
    ).toMatchObject({ spec: serviceMonitor.spec });
    // Idempotent: a second promotion leaves the same rules.
    await promoter.promote(options);
    expect(((await read()) as any).spec).toEqual((first as any).spec);
    expect(
      await staging.read({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'orders-api-slo', namespace: places.to.namespace },
      }),
    ).toBeUndefined();
  });

  it('reads and applies nothing for a service without a tier', async () => {
    const production = new InMemoryKubernetesClient([]);
    const apply = jest.spyOn(production, 'apply');
    const applied = await new KubernetesMonitoringPromoter({
      forEnvironment: () => production,
    }).promote({ entity: entity({}), workload: 'orders-api', ...places });
    expect(applied).toEqual([]);
    expect(apply).not.toHaveBeenCalled();
  });
});

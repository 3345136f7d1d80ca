import { InMemoryKubernetesClient } from '@paved/plugin-provisioning-node/testUtils';
import { KubernetesWorkloadCopier, workloadObjectsFrom } from './workloadCopy';

// The copy of a service's objects into an environment it was never in.

function cluster() {
  return new InMemoryKubernetesClient([
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'orders-api',
        namespace: 'orders-api-staging',
        uid: 'u-1',
        resourceVersion: '12',
        labels: { app: 'orders-api' },
        annotations: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'paved.dev/owner': 'storefront-team',
        },
      },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'sidecar', image: 'envoy:1' },
              {
                name: 'orders-api',
                image: 'registry.paved.local/orders-api:1',
              },
            ],
          },
        },
      },
      status: { replicas: 1 },
    } as any,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'orders-api', namespace: 'orders-api-staging' },
      spec: {
        clusterIP: '10.97.0.12',
        clusterIPs: ['10.97.0.12'],
        ports: [{ port: 80 }],
      },
    } as any,
  ]);
}

describe('workloadObjectsFrom', () => {
  it('makes the live objects portable into the new namespace, with the image', async () => {
    const objects = await workloadObjectsFrom(cluster(), {
      from: 'orders-api-staging',
      to: 'orders-api-production',
      workload: 'orders-api',
      image: 'registry.paved.local/orders-api:2',
    });
    // No ConfigMap in staging: only what exists is copied.
    expect(objects.map(o => o.kind)).toEqual(['Service', 'Deployment']);
    const [service, deployment] = objects as any[];
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'orders-api', namespace: 'orders-api-production' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(deployment.metadata).toEqual({
      name: 'orders-api',
      namespace: 'orders-api-production',
      labels: { app: 'orders-api' },
      annotations: { 'paved.dev/owner': 'storefront-team' },
    });
    expect(deployment.status).toBeUndefined();
    expect(deployment.spec.template.spec.containers).toEqual([
      { name: 'sidecar', image: 'envoy:1' },
      { name: 'orders-api', image: 'registry.paved.local/orders-api:2' },
    ]);
  });

  it('is a NotFoundError when the source has no Deployment', async () => {
    await expect(
      workloadObjectsFrom(cluster(), {
        from: 'elsewhere',
        to: 'orders-api-production',
        workload: 'orders-api',
        image: 'x:1',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('KubernetesWorkloadCopier', () => {
  it('applies the copies into the new namespace as the golden path (manager paved)', async () => {
    const kubernetes = cluster();
    const copied = await new KubernetesWorkloadCopier({
      forEnvironment: () => kubernetes,
    }).copy({
      from: { environment: 'staging', namespace: 'orders-api-staging' },
      to: { environment: 'production', namespace: 'orders-api-production' },
      workload: 'orders-api',
      image: 'registry.paved.local/orders-api:2',
    });
    expect(kubernetes.applied).toEqual([
      { objects: copied, options: { namespace: 'orders-api-production' } },
    ]);
    const status = await kubernetes.getRolloutStatus(
      'orders-api-production',
      'orders-api',
    );
    expect(status?.container).toBe('sidecar');
    expect(
      (await kubernetes.read({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'orders-api', namespace: 'orders-api-production' },
      })) as any,
    ).toMatchObject({ spec: { ports: [{ port: 80 }] } });
  });

  it("reads from the source environment's cluster and applies on the target's", async () => {
    const staging = cluster();
    const production = new InMemoryKubernetesClient();
    const clusters: Record<string, InMemoryKubernetesClient> = {
      staging,
      production,
    };
    await new KubernetesWorkloadCopier({
      forEnvironment: environment => clusters[environment],
    }).copy({
      from: { environment: 'staging', namespace: 'orders-api-staging' },
      to: { environment: 'production', namespace: 'orders-api-production' },
      workload: 'orders-api',
      image: 'registry.paved.local/orders-api:2',
    });
    expect(staging.applied).toEqual([]);
    const copied = (await production.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'orders-api', namespace: 'orders-api-production' },
    })) as any;
    expect(copied.spec.template.spec.containers).toContainEqual(
      expect.objectContaining({
        name: 'orders-api',
        image: 'registry.paved.local/orders-api:2',
      }),
    );
    expect(
      await staging.getRolloutStatus('orders-api-production', 'orders-api'),
    ).toBeUndefined();
  });
});

import { V1Deployment } from '@kubernetes/client-node';
import { rolloutStatusOf } from './rollout';

// Rollout status as `kubectl rollout status` judges it, from the Deployment
// alone (against a real apiserver: KubernetesClient.platform.test.ts).

function deployment(
  status: V1Deployment['status'],
  overrides: { generation?: number; replicas?: number } = {},
): V1Deployment {
  return {
    metadata: {
      name: 'orders-api',
      namespace: 'orders-api-staging',
      generation: overrides.generation ?? 2,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: {},
      template: {
        spec: {
          containers: [
            { name: 'orders-api', image: 'registry.paved.local/orders-api:2' },
          ],
        },
      },
    },
    status,
  };
}

describe('rolloutStatusOf', () => {
  it('waits for the controller to observe a new spec', () => {
    expect(
      rolloutStatusOf(deployment({ observedGeneration: 1 })),
    ).toMatchObject({
      state: 'progressing',
      message: 'Waiting for the controller to observe the new spec',
    });
  });

  it('is progressing while not every replica runs the new version', () => {
    expect(
      rolloutStatusOf(
        deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 2 }),
      ),
    ).toMatchObject({
      state: 'progressing',
      message: '1 of 2 replicas run the new version',
    });
  });

  it('is progressing while old replicas are terminating', () => {
    expect(
      rolloutStatusOf(
        deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 3 }),
      ),
    ).toMatchObject({
      state: 'progressing',
      message: '1 old replicas are pending termination',
    });
  });

  it('is progressing until the updated replicas are available', () => {
    expect(
      rolloutStatusOf(
        deployment({
          observedGeneration: 2,
          updatedReplicas: 2,
          replicas: 2,
          availableReplicas: 1,
        }),
      ),
    ).toMatchObject({
      state: 'progressing',
      message: '1 of 2 updated replicas are available',
    });
  });

  it('is complete when every replica runs the new version and is available', () => {
    expect(
      rolloutStatusOf(
        deployment({
          observedGeneration: 2,
          updatedReplicas: 2,
          replicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
        }),
      ),
    ).toEqual({
      namespace: 'orders-api-staging',
      name: 'orders-api',
      state: 'complete',
      image: 'registry.paved.local/orders-api:2',
      container: 'orders-api',
      replicas: { desired: 2, updated: 2, ready: 2, available: 2 },
      message: 'Rolled out: 2 of 2 replicas available',
      revision: 2,
    });
  });

  it('has failed once the progress deadline passed', () => {
    expect(
      rolloutStatusOf(
        deployment({
          observedGeneration: 2,
          updatedReplicas: 1,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "orders-api-7d9" has timed out progressing.',
            },
          ],
        }),
      ),
    ).toMatchObject({
      state: 'failed',
      message:
        'Rollout exceeded its progress deadline: ReplicaSet "orders-api-7d9" has timed out progressing.',
    });
  });

  it('counts one replica when spec.replicas is unset', () => {
    const d = deployment({ observedGeneration: 2 });
    delete d.spec!.replicas;
    expect(rolloutStatusOf(d).replicas.desired).toBe(1);
  });
});

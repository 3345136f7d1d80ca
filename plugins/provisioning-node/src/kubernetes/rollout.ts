import { V1Deployment } from '@kubernetes/client-node';
import { RolloutStatus } from './types';

/**
 * Judges a Deployment's rollout the way `kubectl rollout status` does, from
 * its spec, status and conditions alone.
 */
export function rolloutStatusOf(deployment: V1Deployment): RolloutStatus {
  const { metadata, spec, status } = deployment;
  const desired = spec?.replicas ?? 1;
  const replicas = {
    desired,
    updated: status?.updatedReplicas ?? 0,
    ready: status?.readyReplicas ?? 0,
    available: status?.availableReplicas ?? 0,
  };
  const revision = Number(
    metadata?.annotations?.['deployment.kubernetes.io/revision'],
  );
  const base = {
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
    image: spec?.template.spec?.containers[0]?.image,
    container: spec?.template.spec?.containers[0]?.name,
    replicas,
    revision: Number.isFinite(revision) ? revision : undefined,
  };
  const progress = (message: string): RolloutStatus => ({
    ...base,
    state: 'progressing',
    message,
  });

  if ((metadata?.generation ?? 0) > (status?.observedGeneration ?? 0)) {
    return progress('Waiting for the controller to observe the new spec');
  }
  const progressing = status?.conditions?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      ...base,
      state: 'failed',
      message: `Rollout exceeded its progress deadline: ${progressing.message}`,
    };
  }
  if (replicas.updated < desired) {
    return progress(
      `${replicas.updated} of ${desired} replicas run the new version`,
    );
  }
  const total = status?.replicas ?? 0;
  if (total > replicas.updated) {
    return progress(
      `${total - replicas.updated} old replicas are pending termination`,
    );
  }
  if (replicas.available < replicas.updated) {
    return progress(
      `${replicas.available} of ${replicas.updated} updated replicas are available`,
    );
  }
  return {
    ...base,
    state: 'complete',
    message: `Rolled out: ${replicas.available} of ${desired} replicas available`,
  };
}

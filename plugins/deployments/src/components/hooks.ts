/**
 * The deployments API and the signed-in user's permissions, as hooks, and
 * when the views poll the backend.
 */
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Deployment,
  deploymentApprovePermission,
  deploymentCreatePermission,
  deploymentPromotePermission,
  deploymentRollbackPermission,
  EnvironmentStatus,
} from '@paved/plugin-deployments-common';
import { deploymentsApiRef } from '../api';

export const useDeploymentsApi = () => useApi(deploymentsApiRef);

/** What the signed-in user may do with the deployments of an entity. */
export function useDeploymentPermissions(entityRef: string) {
  const create = usePermission({
    permission: deploymentCreatePermission,
    resourceRef: entityRef,
  });
  const promote = usePermission({
    permission: deploymentPromotePermission,
    resourceRef: entityRef,
  });
  const approve = usePermission({
    permission: deploymentApprovePermission,
    resourceRef: entityRef,
  });
  const rollback = usePermission({
    permission: deploymentRollbackPermission,
    resourceRef: entityRef,
  });
  return {
    canDeploy: create.allowed,
    canPromote: promote.allowed,
    canApprove: approve.allowed,
    canRollback: rollback.allowed,
  };
}

/** Polling intervals: a running rollout, and the environments while one progresses. */
export const ROLLOUT_POLL_MS = 1000;
export const ENVIRONMENTS_POLL_MS = 3000;

export const isFinished = (deployment?: Deployment) =>
  deployment?.status === 'succeeded' || deployment?.status === 'failed';

/** Whether a rollout or a deployment is under way in any of the environments: then they are polled. */
export const isInFlight = (environments: EnvironmentStatus[] | undefined) =>
  (environments ?? []).some(
    e =>
      e.rolloutState === 'progressing' ||
      (e.lastDeployment !== undefined && !isFinished(e.lastDeployment)),
  );

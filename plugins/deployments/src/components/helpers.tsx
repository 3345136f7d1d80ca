import { parseEntityRef } from '@backstage/catalog-model';
import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Deployment,
  deploymentApprovePermission,
  deploymentCreatePermission,
  deploymentPromotePermission,
  deploymentRollbackPermission,
  DeploymentStatus,
  RolloutState,
} from '@paved/plugin-deployments-common';
import { DateTime } from 'luxon';
import { deploymentsApiRef } from '../api';

/** Polling intervals: a running rollout, and the environments while one progresses. */
export const ROLLOUT_POLL_MS = 1000;
export const ENVIRONMENTS_POLL_MS = 3000;

export const isFinished = (deployment?: Deployment) =>
  deployment?.status === 'succeeded' || deployment?.status === 'failed';

/** `alice` for `user:default/alice`, the ref itself when it is not a user in default. */
export function displayRef(ref: string | undefined): string {
  if (!ref) return 'unknown';
  try {
    const { kind, namespace, name } = parseEntityRef(ref, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    if (kind.toLocaleLowerCase('en-US') === 'user' && namespace === 'default') {
      return name;
    }
  } catch {
    // not an entity ref: show it as it is
  }
  return ref;
}

/** "3 minutes ago"; the absolute time goes into a title attribute by the callers. */
export function relativeTime(iso: string | undefined): string {
  if (!iso) return '';
  const time = DateTime.fromISO(iso);
  return time.isValid ? time.toRelative() ?? iso : iso;
}

export function absoluteTime(iso: string | undefined): string {
  if (!iso) return '';
  const time = DateTime.fromISO(iso);
  return time.isValid ? time.toLocaleString(DateTime.DATETIME_MED) : iso;
}

/** A title and the backend's own message for an error, to show in a dialog. */
export function describeError(error: Error): {
  title: string;
  message: string;
} {
  const response = error as Partial<ResponseError>;
  const status = response.statusCode;
  const message =
    (response.body?.error?.message as string | undefined) ?? error.message;
  switch (status) {
    case 400:
      return { title: 'Invalid request', message };
    case 403:
      return { title: 'Not allowed', message };
    case 404:
      return { title: 'Not found', message };
    case 409:
      return {
        title: /under way|already/i.test(message)
          ? 'Already deploying'
          : 'Conflict',
        message,
      };
    case 503:
      return {
        title: 'Kubernetes is unavailable',
        message: `${message} Nothing was deployed; try again when the cluster is back.`,
      };
    default:
      return {
        title: status ? `Request failed (${status})` : 'Request failed',
        message,
      };
  }
}

/** A status icon and label for a deployment's status. */
export function DeploymentStatusLabel(props: { status: DeploymentStatus }) {
  switch (props.status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'rolling-out':
      return <StatusRunning>rolling out</StatusRunning>;
    default:
      return <StatusPending>pending</StatusPending>;
  }
}

/** A status icon and label for an environment's rollout. */
export function RolloutStateLabel(props: { state: RolloutState }) {
  switch (props.state) {
    case 'complete':
      return <StatusOK>Rollout complete</StatusOK>;
    case 'failed':
      return <StatusError>Rollout failed</StatusError>;
    case 'progressing':
      return <StatusPending>Rolling out</StatusPending>;
    default:
      return <StatusPending>Not deployed yet</StatusPending>;
  }
}

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

export const useDeploymentsApi = () => useApi(deploymentsApiRef);

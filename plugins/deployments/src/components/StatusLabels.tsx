import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import {
  DeploymentStatus,
  RolloutState,
} from '@paved/plugin-deployments-common';

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

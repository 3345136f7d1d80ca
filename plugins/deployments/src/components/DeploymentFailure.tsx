import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import {
  Deployment,
  PAVED_ACTOR,
  RolloutFailureReason,
} from '@paved/plugin-deployments-common';

/** What each failure reason means, in a developer's words. */
export const FAILURE_REASONS: Record<RolloutFailureReason, string> = {
  ImagePull: "Image can't be pulled",
  CrashLoop: 'Container keeps crashing',
  ContainerConfig: "Container can't be created",
  ProbeFailure: 'Readiness probe failing',
  Unschedulable: 'No node can run it',
  Deadline: 'Progress deadline passed',
  Timeout: 'Rollout timed out',
};

/** Why a deployment failed, with the failing container's last log lines. */
export function DeploymentFailure(props: { deployment: Deployment }) {
  const { failureReason, logTail, id } = props.deployment;
  if (props.deployment.status !== 'failed' || !failureReason) return null;
  return (
    <Box mt={0.5} data-testid={`failure-${id}`}>
      <Chip
        size="small"
        color="secondary"
        label={FAILURE_REASONS[failureReason] ?? failureReason}
      />
      {logTail && (
        <Box
          component="pre"
          mt={0.5}
          p={1}
          maxHeight={200}
          overflow="auto"
          bgcolor="background.default"
          fontSize="0.75rem"
          aria-label="Last log lines of the failing container"
          style={{ whiteSpace: 'pre-wrap' }}
        >
          {logTail}
        </Box>
      )}
    </Box>
  );
}

/** Marks what Paved did by itself, e.g. an automatic rollback. */
export function AutomaticLabel(props: { deployment: Deployment }) {
  const { rollbackOf, requestedBy } = props.deployment;
  if (!rollbackOf && requestedBy !== PAVED_ACTOR) return null;
  return (
    <Typography variant="caption" component="span" color="textSecondary">
      {' '}
      (automatic rollback)
    </Typography>
  );
}

import {
  ResponseErrorPanel,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import { Link } from '@backstage/ui';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import {
  Deployment,
  EnvironmentStatus,
} from '@paved/plugin-deployments-common';
import useInterval from 'react-use/esm/useInterval';
import { useCallback, useEffect, useState } from 'react';
import { isFinished, ROLLOUT_POLL_MS, useDeploymentsApi } from './hooks';

/**
 * Follows a deployment: polls it about every second until it succeeded or
 * failed, with the replicas of its environment, live.
 */
export function useRollout(
  entityRef: string,
  initial: Deployment,
  onFinished?: (deployment: Deployment) => void,
) {
  const api = useDeploymentsApi();
  const [deployment, setDeployment] = useState<Deployment>(initial);
  const [environment, setEnvironment] = useState<EnvironmentStatus>();
  const [error, setError] = useState<Error>();
  const finished = isFinished(deployment);

  const poll = useCallback(async () => {
    try {
      const [latest, environments] = await Promise.all([
        api.getDeployment(initial.id),
        api.listEnvironments(entityRef).catch(() => undefined),
      ]);
      setDeployment(latest);
      const env = environments?.find(
        e => e.environment === initial.environment,
      );
      if (env) setEnvironment(env);
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  }, [api, entityRef, initial.id, initial.environment]);

  useEffect(() => {
    poll();
  }, [poll]);
  useInterval(poll, finished ? null : ROLLOUT_POLL_MS);

  useEffect(() => {
    if (finished) onFinished?.(deployment);
    // once, when it finishes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [finished]);

  return { deployment, environment, error, finished };
}

export interface RolloutProgressProps {
  entityRef: string;
  deployment: Deployment;
  /** Where the Environments tab is; no link when absent (e.g. on that tab). */
  environmentsHref?: string;
  onFinished?: (deployment: Deployment) => void;
}

/** Progress of a rollout, then its result. */
export function RolloutProgress(props: RolloutProgressProps) {
  const { entityRef, environmentsHref, onFinished } = props;
  const { deployment, environment, error, finished } = useRollout(
    entityRef,
    props.deployment,
    onFinished,
  );
  const replicas = environment?.replicas;
  return (
    <Box data-testid="rollout-progress">
      <div role="status" aria-live="polite">
        {!finished && (
          <>
            <Typography gutterBottom>
              Rolling out <strong>{deployment.image}</strong> to{' '}
              <strong>{deployment.environment}</strong>…
            </Typography>
            <LinearProgress aria-label="Rollout progress" />
          </>
        )}
        {deployment.status === 'succeeded' && (
          <StatusOK>
            Deployed {deployment.image} to {deployment.environment}.
          </StatusOK>
        )}
        {deployment.status === 'failed' && (
          <StatusError>
            Deployment of {deployment.image} to {deployment.environment} failed.
          </StatusError>
        )}
        {deployment.message && (
          <Typography variant="body2" color="textSecondary">
            {deployment.message}
          </Typography>
        )}
        {environment?.rolloutMessage && !finished && (
          <Typography variant="body2" color="textSecondary">
            {environment.rolloutMessage}
          </Typography>
        )}
        {replicas && (
          <Typography variant="body2">
            Replicas: {replicas.ready} of {replicas.desired} ready,{' '}
            {replicas.updated} updated, {replicas.available} available
          </Typography>
        )}
      </div>
      {error && (
        <Box mt={2}>
          <ResponseErrorPanel
            error={error}
            title="Could not read the rollout"
          />
        </Box>
      )}
      {finished && environmentsHref && (
        <Box mt={2}>
          <Link href={environmentsHref}>View environments</Link>
        </Box>
      )}
    </Box>
  );
}

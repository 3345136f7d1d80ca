import { EnvironmentStatus } from '@paved/plugin-deployments-common';
import { RatePrompt } from './RatePrompt';

/** Only a deploy finished this recently is asked about: an old one is not "this deploy". */
export const PROMPT_WITHIN_MS = 24 * 3600_000;

/** Production as the backend reads it (decision 0021): `production`, else the last environment. */
export function productionOf(environments: EnvironmentStatus[]) {
  return (
    environments.find(e => e.environment === 'production') ??
    environments[environments.length - 1]
  );
}

/**
 * "How was this deploy?" under the environments, for the user whose
 * production deploy just succeeded; nothing for anyone else.
 */
export function DeployRatePrompt(props: {
  entityRef: string;
  environments: EnvironmentStatus[];
  currentUser?: string;
  now?: number;
}) {
  const { entityRef, environments, currentUser } = props;
  const deployment = productionOf(environments)?.lastDeployment;
  const now = props.now ?? Date.now();
  if (
    !deployment ||
    !currentUser ||
    deployment.status !== 'succeeded' ||
    deployment.requestedBy !== currentUser ||
    now - Date.parse(deployment.finishedAt ?? deployment.createdAt) >
      PROMPT_WITHIN_MS
  ) {
    return null;
  }
  return (
    <RatePrompt
      question={`How was this deploy of ${deployment.image} to ${deployment.environment}? 1–5`}
      context={{
        page: window.location.pathname,
        action: 'production-deploy',
        entityRef,
        deploymentId: deployment.id,
      }}
    />
  );
}

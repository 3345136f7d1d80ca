import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import { Link } from '@backstage/ui';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { EnvironmentStatus } from '@paved/plugin-deployments-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { DeployButton } from './DeployButton';
import { EnvironmentsSummary } from './EnvironmentsSummary';
import { ENVIRONMENTS_POLL_MS, isInFlight, useDeploymentsApi } from './hooks';

/** The path of the Environments tab of an entity page. */
export function useEnvironmentsHref(): string {
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  return `${entityLink(entity).replace(/\/$/, '')}/environments`;
}

const neverDeployed = (environments: EnvironmentStatus[]) =>
  environments.every(e => !e.image && !e.lastDeployment);

/** "Deploy to staging with the Deploy button; production is reached by promotion." */
function howToStart(environments: EnvironmentStatus[]): string {
  const direct = environments
    .filter(e => !e.requiresApproval)
    .map(e => e.environment);
  const byPromotion = environments
    .filter(e => e.requiresApproval)
    .map(e => e.environment);
  const deploy = direct.length
    ? `Deploy to ${direct.join(', ')} with the Deploy button`
    : 'No environment takes a direct deploy';
  const promote = byPromotion.length
    ? `; ${byPromotion.join(', ')} ${
        byPromotion.length === 1 ? 'is' : 'are'
      } reached by promotion`
    : '';
  return `${deploy}${promote}.`;
}

/**
 * The first card of a golden-path service's Overview: what runs where (per
 * environment the version, health, URL and last deploy, live from the
 * cluster), and the Deploy button.
 */
export function DeploymentsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const environmentsHref = useEnvironmentsHref();
  const environments = useAsyncRetry(
    () => api.listEnvironments(entityRef),
    [api, entityRef],
  );
  useInterval(
    environments.retry,
    isInFlight(environments.value) ? ENVIRONMENTS_POLL_MS : null,
  );

  let body;
  if (environments.error) {
    body = (
      <ResponseErrorPanel
        error={environments.error}
        title="Could not load the environments"
      />
    );
  } else if (!environments.value) {
    body = <Progress />;
  } else if (environments.value.length === 0) {
    body = (
      <Typography>
        No environments are configured: the portal's paved.environments lists
        none.
      </Typography>
    );
  } else if (neverDeployed(environments.value)) {
    body = (
      <>
        <Typography variant="h6" component="p" gutterBottom>
          Not deployed yet
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {howToStart(environments.value)}
        </Typography>
      </>
    );
  } else {
    body = <EnvironmentsSummary environments={environments.value} />;
  }

  return (
    <InfoCard
      title="Deployments"
      subheader="What runs where, live from the cluster"
      titleTypographyProps={{ component: 'h2' } as object}
      action={
        <Box mt={1} mr={1}>
          <DeployButton
            entityRef={entityRef}
            environmentsHref={environmentsHref}
            onChange={environments.retry}
          />
        </Box>
      }
    >
      {body}
      <Box mt={2}>
        <Link href={environmentsHref}>
          Environments, history and audit trail
        </Link>
      </Box>
    </InfoCard>
  );
}

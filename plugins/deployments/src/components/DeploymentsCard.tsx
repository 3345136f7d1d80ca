import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DeployButton } from './DeployButton';
import { RolloutStateLabel, useDeploymentsApi } from './helpers';

/** The path of the Environments tab of an entity page. */
export function useEnvironmentsHref(): string {
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  return `${entityLink(entity).replace(/\/$/, '')}/environments`;
}

/** Overview card: what runs in each environment, and the Deploy button. */
export function DeploymentsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const environmentsHref = useEnvironmentsHref();
  const environments = useAsyncRetry(
    () => api.listEnvironments(entityRef),
    [api, entityRef],
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
  } else {
    body = (
      <List dense disablePadding>
        {environments.value.map(e => (
          <ListItem key={e.environment} disableGutters>
            <ListItemText
              primary={e.environment}
              secondary={
                <>
                  {e.image ?? 'Not deployed yet'}
                  {e.image && (
                    <>
                      {' '}
                      <RolloutStateLabel state={e.rolloutState} />
                    </>
                  )}
                </>
              }
            />
          </ListItem>
        ))}
      </List>
    );
  }

  return (
    <InfoCard
      title="Deployments"
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
      <Box mt={1}>
        <Link to={environmentsHref}>Environments, history and audit trail</Link>
      </Box>
    </InfoCard>
  );
}

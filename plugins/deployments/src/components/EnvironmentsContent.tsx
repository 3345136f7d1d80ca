import useInterval from 'react-use/esm/useInterval';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { AuditCard } from './AuditCard';
import { DeployButton } from './DeployButton';
import { EnvironmentCard } from './EnvironmentCard';
import {
  ENVIRONMENTS_POLL_MS,
  isInFlight,
  useDeploymentPermissions,
  useDeploymentsApi,
} from './hooks';
import { HistoryCard } from './HistoryCard';
import { DeployRatePrompt } from './insights/DeployRatePrompt';

/** The "Environments" tab: one card per environment, the history and the audit trail. */
export function EnvironmentsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const identityApi = useApi(coreApis.identity);
  const permissions = useDeploymentPermissions(entityRef);
  const [refreshKey, setRefreshKey] = useState(0);

  const environments = useAsyncRetry(
    () => api.listEnvironments(entityRef),
    [api, entityRef],
  );
  const approvals = useAsync(
    () => api.listApprovals(entityRef, { status: 'pending' }),
    [api, entityRef, refreshKey],
  );
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );

  const { retry } = environments;
  const refresh = useCallback(() => {
    retry();
    setRefreshKey(key => key + 1);
  }, [retry]);
  useInterval(
    refresh,
    isInFlight(environments.value) ? ENVIRONMENTS_POLL_MS : null,
  );

  if (environments.error && !environments.value) {
    return (
      <ResponseErrorPanel
        error={environments.error}
        title="Could not load the environments"
      />
    );
  }
  if (!environments.value) {
    return <Progress />;
  }
  const items = environments.value;
  if (items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No environments configured"
        description="The portal's paved.environments configuration lists none."
      />
    );
  }
  const liveImages = Object.fromEntries(
    items.map(e => [e.environment, e.image]),
  );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="body1">
            What runs where, live from the cluster. Deploy to{' '}
            {items
              .filter(e => !e.requiresApproval)
              .map(e => e.environment)
              .join(', ') || 'no environment'}{' '}
            directly; environments that require approval are reached by
            promotion.
          </Typography>
          <DeployButton entityRef={entityRef} onChange={refresh} />
        </Box>
      </Grid>
      <Grid item xs={12}>
        <DeployRatePrompt
          entityRef={entityRef}
          environments={items}
          currentUser={identity.value?.userEntityRef}
        />
      </Grid>
      {environments.error && (
        <Grid item xs={12}>
          <ResponseErrorPanel
            error={environments.error}
            title="Could not refresh the environments"
          />
        </Grid>
      )}
      {approvals.error && (
        <Grid item xs={12}>
          <ResponseErrorPanel
            error={approvals.error}
            title="Could not load the pending approvals"
          />
        </Grid>
      )}
      {items.map((status, index) => (
        <Grid item xs={12} md={6} key={status.environment}>
          <EnvironmentCard
            entityRef={entityRef}
            status={status}
            next={items[index + 1]}
            approvals={(approvals.value ?? []).filter(
              a =>
                a.toEnvironment === status.environment &&
                a.status === 'pending',
            )}
            canPromote={permissions.canPromote}
            canApprove={permissions.canApprove}
            currentUser={identity.value?.userEntityRef}
            onChange={refresh}
          />
        </Grid>
      ))}
      <Grid item xs={12}>
        <HistoryCard
          entityRef={entityRef}
          liveImages={liveImages}
          canRollback={permissions.canRollback}
          refreshKey={refreshKey}
          onChange={refresh}
        />
      </Grid>
      <Grid item xs={12}>
        <AuditCard entityRef={entityRef} refreshKey={refreshKey} />
      </Grid>
    </Grid>
  );
}

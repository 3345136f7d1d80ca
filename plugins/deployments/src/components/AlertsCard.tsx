import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ServiceAlert } from '@paved/plugin-deployments-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { absoluteTime, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

/** How often the card asks again (alerts arrive from Alertmanager in the background). */
export const ALERTS_POLL_MS = 15_000;

function FiringAlert(props: { alert: ServiceAlert }) {
  const { alert } = props;
  return (
    <Box mb={1} data-testid="alert-firing">
      <WarningPanel
        severity={alert.severity === 'page' ? 'error' : 'warning'}
        title={`Firing: ${alert.alertname} in ${alert.environment}`}
        defaultExpanded
      >
        <Typography variant="body2">{alert.summary}</Typography>
        {alert.description && (
          <Typography variant="caption" component="p">
            {alert.description}
          </Typography>
        )}
        <Typography variant="caption" title={absoluteTime(alert.startsAt)}>
          Firing since {relativeTime(alert.startsAt)} · {alert.severity} ·{' '}
          <Link to="metrics">See the metrics</Link>
        </Typography>
      </WarningPanel>
    </Box>
  );
}

/**
 * The entity's SLO alerts (GET …/alerts, docs/decisions/0026): each firing one as a banner
 * until Alertmanager says it resolved, then the last resolved ones as lines.
 */
export function AlertsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const alerts = useAsyncRetry(
    () => api.listAlerts(entityRef),
    [api, entityRef],
  );
  useInterval(alerts.retry, ALERTS_POLL_MS);

  let body;
  if (alerts.error && !alerts.value) {
    body = <ResponseErrorPanel error={alerts.error} />;
  } else if (!alerts.value) {
    body = <Progress />;
  } else {
    const firing = alerts.value.filter(a => a.status === 'firing');
    const resolved = alerts.value.filter(a => a.status === 'resolved');
    body = (
      <>
        {firing.length === 0 && (
          <Typography variant="body2" data-testid="alerts-none">
            No alert is firing. The service&apos;s SLO alerts (error budget burn
            rates) notify its owners here and in their notifications.
          </Typography>
        )}
        {firing.map(alert => (
          <FiringAlert key={alert.id} alert={alert} />
        ))}
        {resolved.slice(0, 5).map(alert => (
          <Typography
            key={alert.id}
            variant="caption"
            component="p"
            data-testid="alert-resolved"
            title={absoluteTime(alert.resolvedAt)}
          >
            Resolved {relativeTime(alert.resolvedAt)}: {alert.alertname} in{' '}
            {alert.environment} (fired {relativeTime(alert.startsAt)})
          </Typography>
        ))}
      </>
    );
  }
  return <InfoCard title="Alerts">{body}</InfoCard>;
}

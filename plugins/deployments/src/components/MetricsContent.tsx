import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  EnvironmentMetrics,
  METRICS_WINDOWS,
  MetricSeries,
  MetricsReport,
  MetricsWindow,
} from '@paved/plugin-deployments-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { useDeploymentsApi } from './hooks';
import { Sparkline } from './Sparkline';

/** How often the tab asks again while open. */
export const METRICS_POLL_MS = 30_000;

const WINDOW_LABELS: Record<MetricsWindow, string> = {
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '1d': 'Last day',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

const percent = (v: number | undefined, digits = 2) =>
  v === undefined ? '–' : `${(v * 100).toFixed(digits)} %`;
const rate = (v: number | undefined) => {
  if (v === undefined) return '–';
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 3)} req/s`;
};
const seconds = (v: number | undefined) => {
  if (v === undefined) return '–';
  return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
};

function Signal(props: {
  title: string;
  value: string;
  points: MetricSeries;
  report: MetricsReport;
  now: number;
}) {
  const { report, now } = props;
  const windowSeconds = report.stepSeconds * 60;
  return (
    <Box mb={2}>
      <Typography variant="body2" color="textSecondary">
        {props.title}
      </Typography>
      <Typography variant="h6">{props.value}</Typography>
      <Sparkline
        label={`${props.title} over ${WINDOW_LABELS[
          report.window
        ].toLowerCase()}`}
        points={props.points}
        from={now - windowSeconds}
        to={now}
        stepSeconds={report.stepSeconds}
      />
    </Box>
  );
}

function EnvironmentMetricsCard(props: {
  item: EnvironmentMetrics;
  report: MetricsReport;
  now: number;
}) {
  const { item, report, now } = props;
  const budget = item.errorBudgetRemaining;
  return (
    <InfoCard
      title={item.environment}
      subheader={`namespace ${item.namespace} · SLO ${item.objectivePercent} %`}
    >
      {item.traffic === 'none' ? (
        <Typography data-testid={`no-traffic-${item.environment}`}>
          No traffic yet: no request has been answered here in this window
          (health probes aside).
        </Typography>
      ) : (
        <>
          <Signal
            title="Request rate"
            value={rate(item.requestRate)}
            points={item.series.requestRate}
            report={report}
            now={now}
          />
          <Signal
            title="Error rate (5xx)"
            value={percent(item.errorRatio)}
            points={item.series.errorRatio}
            report={report}
            now={now}
          />
          <Signal
            title={`p99 latency (SLO: under ${seconds(
              item.latencyThresholdSeconds,
            )})`}
            value={seconds(item.p99LatencySeconds)}
            points={item.series.p99LatencySeconds}
            report={report}
            now={now}
          />
          <Typography variant="body2" color="textSecondary">
            Error budget left
          </Typography>
          <Typography
            variant="h6"
            color={budget !== undefined && budget < 0 ? 'error' : 'initial'}
          >
            {percent(budget, 1)}
          </Typography>
        </>
      )}
    </InfoCard>
  );
}

/** The "Metrics" tab: request rate, error rate, p99 latency and error budget per environment. */
export function MetricsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const [window, setWindow] = useState<MetricsWindow>('1h');
  const report = useAsyncRetry(
    () => api.getMetrics(entityRef, window),
    [api, entityRef, window],
  );
  useInterval(report.retry, METRICS_POLL_MS);
  const now = Date.now() / 1000;

  let body;
  if (report.error && !report.value) {
    // Told apart by the backend's error name (ResponseError carries it), never by wording.
    const backend = (
      report.error as { body?: { error?: { name?: string; message?: string } } }
    ).body?.error;
    body =
      backend?.name === 'ServiceUnavailableError' ? (
        <WarningPanel
          severity="warning"
          title="Metrics are not available right now"
          defaultExpanded
        >
          <Typography data-testid="metrics-unavailable">
            {backend.message}. The rest of the page works; metrics come back
            once Prometheus answers.
          </Typography>
        </WarningPanel>
      ) : (
        <ResponseErrorPanel error={report.error} />
      );
  } else if (!report.value) {
    body = <Progress />;
  } else if (report.value.items.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No environment to show"
        description="This component has no namespace annotation (paved.dev/kubernetes-namespace-<environment>): it is not deployed by the golden path yet. Create Service gives a service metrics, SLO alerts and a dashboard."
      />
    );
  } else {
    body = (
      <Grid container spacing={3}>
        {report.value.items.map(item => (
          <Grid item xs={12} md={6} key={item.environment}>
            <EnvironmentMetricsCard
              item={item}
              report={report.value!}
              now={now}
            />
          </Grid>
        ))}
      </Grid>
    );
  }
  return (
    <Box>
      <Box mb={2} display="flex" justifyContent="flex-end">
        <TextField
          select
          label="Window"
          size="small"
          variant="outlined"
          value={window}
          onChange={e => setWindow(e.target.value as MetricsWindow)}
          inputProps={{ 'aria-label': 'Window' }}
        >
          {METRICS_WINDOWS.map(w => (
            <MenuItem key={w} value={w}>
              {WINDOW_LABELS[w]}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {body}
    </Box>
  );
}

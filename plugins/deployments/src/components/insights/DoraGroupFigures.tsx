import Grid from '@material-ui/core/Grid';
import { DoraGroup, DoraReport } from '@paved/plugin-deployments-common';
import { CountedDeployments, commitNote } from './CountedDeployments';
import { DoraFigure } from './DoraFigure';
import { duration, perDay, share } from './format';
import { TrendChart } from './TrendChart';

/** The four keys of one group (organisation, team, system or service), side by side. */
export function DoraGroupFigures(props: {
  report: DoraReport;
  group: DoraGroup;
}) {
  const { report, group } = props;
  const { figures, trend } = group;
  const { definitions } = report;
  const leadNotes = Object.fromEntries(
    figures.leadTime.samples.map(s => [s.deploymentId, commitNote(s)]),
  );
  const recoveryNotes = Object.fromEntries([
    ...figures.recoveryTime.samples.map(s => [
      s.deploymentId,
      `recovered by ${s.recoveredBy} after ${duration(s.seconds)}`,
    ]),
    ...figures.recoveryTime.unrecoveredDeploymentIds.map(id => [
      id,
      'not recovered yet',
    ]),
  ]);
  const cell = (node: JSX.Element) => (
    <Grid item xs={12} md={6} lg={3}>
      {node}
    </Grid>
  );
  return (
    <Grid container spacing={2}>
      {cell(
        <DoraFigure
          title="Deployment frequency"
          value={`${figures.deploymentFrequency.count} (${perDay(
            figures.deploymentFrequency.perDay,
          )})`}
          tier={figures.tier.deploymentFrequency}
          definition={definitions.deploymentFrequency}
          chart={
            <TrendChart
              trend={trend}
              value={w => w.deployments}
              label="Deployments per week"
            />
          }
        >
          <CountedDeployments
            ids={figures.deploymentFrequency.deploymentIds}
            notes={leadNotes}
          />
        </DoraFigure>,
      )}
      {cell(
        <DoraFigure
          title="Change lead time"
          value={duration(figures.leadTime.medianSeconds)}
          tier={figures.tier.leadTime}
          definition={definitions.leadTime}
          chart={
            <TrendChart
              trend={trend}
              value={w => w.leadTimeMedianSeconds}
              label="Median lead time per week"
            />
          }
        >
          <CountedDeployments
            ids={figures.leadTime.samples.map(s => s.deploymentId)}
            notes={leadNotes}
          />
        </DoraFigure>,
      )}
      {cell(
        <DoraFigure
          title="Change failure rate"
          value={`${share(figures.changeFailureRate.rate)} (${
            figures.changeFailureRate.failed
          } of ${figures.changeFailureRate.count})`}
          tier={figures.tier.changeFailureRate}
          definition={definitions.changeFailureRate}
          chart={
            <TrendChart
              trend={trend}
              value={w => w.changeFailureRate}
              label="Change failure rate per week"
            />
          }
        >
          <CountedDeployments
            ids={figures.changeFailureRate.failedDeploymentIds}
            notes={recoveryNotes}
          />
        </DoraFigure>,
      )}
      {cell(
        <DoraFigure
          title="Failed deployment recovery time"
          value={duration(figures.recoveryTime.medianSeconds)}
          tier={figures.tier.recoveryTime}
          definition={definitions.recoveryTime}
          chart={
            <TrendChart
              trend={trend}
              value={w => w.recoveryMedianSeconds}
              label="Median recovery time per week"
            />
          }
        >
          <CountedDeployments
            ids={[
              ...figures.recoveryTime.samples.map(s => s.deploymentId),
              ...figures.recoveryTime.unrecoveredDeploymentIds,
            ]}
            notes={recoveryNotes}
          />
        </DoraFigure>,
      )}
    </Grid>
  );
}

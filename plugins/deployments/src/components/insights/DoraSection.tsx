import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { displayRef } from '../format';
import { useDeploymentsApi } from '../hooks';
import { DoraGroupFigures } from './DoraGroupFigures';
import { InsightsWindow } from './format';

const title = (key: string) =>
  key === 'organisation' ? 'Organisation' : displayRef(key);

export type DoraScope = 'organisation' | 'team' | 'service';

/** DORA's four keys for the chosen window and scope, each group with its tier and its source. */
export function DoraSection(props: {
  window: InsightsWindow;
  scope: DoraScope;
  entityRef?: string;
}) {
  const { window, scope, entityRef } = props;
  const api = useDeploymentsApi();
  const report = useAsync(
    () => api.getDoraInsights({ window, groupBy: scope, entityRef }),
    [api, window, scope, entityRef],
  );
  if (report.loading) return <Progress />;
  if (report.error || !report.value) {
    return (
      <ResponseErrorPanel
        error={report.error ?? new Error('no answer')}
        title="Could not load the DORA figures"
      />
    );
  }
  const { value } = report;
  const groups = value.groups;
  return (
    <InfoCard title="DORA's four keys">
      <Typography variant="body2">
        Production deployments to <b>{value.environment}</b> over the last{' '}
        {value.window} days. Tiers: {value.tierSource}.
      </Typography>
      {groups.length === 0 && (
        <EmptyState
          missing="data"
          title="No production deployments in this window"
          description="The figures appear once something is deployed to production."
        />
      )}
      {groups.map(group => (
        <Box key={group.key} mt={2} role="group" aria-label={title(group.key)}>
          <Typography variant="h6">
            {title(group.key)}{' '}
            <Typography variant="caption" component="span">
              overall tier: {group.figures.tier.overall ?? 'none'}
            </Typography>
          </Typography>
          <DoraGroupFigures report={value} group={group} />
        </Box>
      ))}
    </InfoCard>
  );
}

import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { AdoptionReport } from '@paved/plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { displayRef } from '../format';
import { useDeploymentsApi } from '../hooks';
import { InsightsWindow, share } from './format';

type Row = AdoptionReport['groups'][number] & { id: string };

const columns: TableColumn<Row>[] = [
  {
    title: 'Team',
    render: row =>
      row.key === 'organisation' ? 'Organisation' : displayRef(row.key),
  },
  {
    title: 'On the golden path',
    render: row =>
      `${row.figures.goldenPath} of ${row.figures.services} services (${share(
        row.figures.goldenPathShare,
      )})`,
  },
  {
    title: 'With a Paved database',
    render: row =>
      `${row.figures.withDatabase} (${share(row.figures.databaseShare)})`,
  },
  {
    title: 'Runs: Create Service / Provision Database',
    render: row =>
      row.figures.templateRuns
        ? `${row.figures.templateRuns.createService} / ${row.figures.templateRuns.provisionDatabase}`
        : '–',
  },
  {
    title: 'Deploys: portal / CLI / other',
    render: row =>
      `${row.figures.deploys.portal} / ${row.figures.deploys.cli} / ${row.figures.deploys.other}`,
  },
];

/** Golden-path adoption: the organisation first, then each team. */
export function AdoptionSection(props: { window: InsightsWindow }) {
  const api = useDeploymentsApi();
  const report = useAsync(
    () => api.getAdoptionInsights({ window: props.window }),
    [api, props.window],
  );
  if (report.loading) return <Progress />;
  if (report.error || !report.value) {
    return (
      <ResponseErrorPanel
        error={report.error ?? new Error('no answer')}
        title="Could not load the adoption figures"
      />
    );
  }
  return (
    <InfoCard title="Golden-path adoption" noPadding>
      <Table<Row>
        options={{ paging: false, search: false, toolbar: false }}
        columns={columns}
        data={report.value.groups.map(g => ({ ...g, id: g.key }))}
        emptyContent="No services in the catalog yet."
      />
    </InfoCard>
  );
}

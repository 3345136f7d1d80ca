import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { DeploymentAuditEvent } from '@paved/plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { absoluteTime, displayRef, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

function Result(props: { result: DeploymentAuditEvent['result'] }) {
  if (props.result === 'succeeded') return <StatusOK>succeeded</StatusOK>;
  if (props.result === 'failed') return <StatusError>failed</StatusError>;
  return <StatusPending>pending</StatusPending>;
}

const columns: TableColumn<DeploymentAuditEvent>[] = [
  {
    title: 'When',
    field: 'createdAt',
    render: e => (
      <span title={absoluteTime(e.createdAt)}>{relativeTime(e.createdAt)}</span>
    ),
  },
  { title: 'Who', field: 'actor', render: e => displayRef(e.actor) },
  { title: 'Action', field: 'action' },
  { title: 'Environment', field: 'environment' },
  { title: 'Image', field: 'image' },
  {
    title: 'Result',
    field: 'result',
    render: e => <Result result={e.result} />,
  },
  { title: 'Message', field: 'message' },
];

/** Who did what to the entity's deployments: the last 100 audited actions. */
export function AuditCard(props: { entityRef: string; refreshKey: number }) {
  const { entityRef, refreshKey } = props;
  const api = useDeploymentsApi();
  const events = useAsync(
    () => api.listAuditEvents(entityRef),
    [api, entityRef, refreshKey],
  );
  let body;
  if (events.error) {
    body = (
      <ResponseErrorPanel
        error={events.error}
        title="Could not load the audit trail"
      />
    );
  } else if (!events.value) {
    body = <Progress />;
  } else {
    body = (
      <Table<DeploymentAuditEvent>
        options={{
          paging: events.value.length > 10,
          pageSize: 10,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        columns={columns}
        data={events.value}
        emptyContent={
          <Box p={2}>
            <Typography>No audited actions yet</Typography>
          </Box>
        }
      />
    );
  }
  return (
    <InfoCard
      title="Audit trail"
      titleTypographyProps={{ component: 'h2' } as object}
    >
      {body}
    </InfoCard>
  );
}

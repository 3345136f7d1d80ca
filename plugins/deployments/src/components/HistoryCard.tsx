import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { Deployment, PAVED_ACTOR } from '@paved/plugin-deployments-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ActionDialog } from './ActionDialog';
import { AutomaticLabel, DeploymentFailure } from './DeploymentFailure';
import { DeploymentStatusLabel } from './StatusLabels';
import { absoluteTime, displayRef, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

export const HISTORY_PAGE_SIZE = 10;

export interface HistoryCardProps {
  entityRef: string;
  /** The image running now in each environment; no rollback to it. */
  liveImages: Record<string, string | undefined>;
  canRollback: boolean;
  /** Changes when the history may have changed, to load it again. */
  refreshKey: number;
  onChange: () => void;
}

/** The deployment history, newest first, a page at a time, with rollbacks. */
export function HistoryCard(props: HistoryCardProps) {
  const { entityRef, liveImages, canRollback, refreshKey, onChange } = props;
  const api = useDeploymentsApi();
  // cursors[i] is the cursor of page i; page 0 has none
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const [rollbackTo, setRollbackTo] = useState<Deployment>();

  const history = useAsync(
    () =>
      api.listDeployments(entityRef, {
        limit: HISTORY_PAGE_SIZE,
        cursor: cursors[page],
      }),
    [api, entityRef, cursors, refreshKey],
  );

  const canRollBackTo = (d: Deployment) =>
    canRollback &&
    d.status === 'succeeded' &&
    liveImages[d.environment] !== d.image;

  const columns: TableColumn<Deployment>[] = [
    { title: 'Environment', field: 'environment' },
    {
      title: 'Image',
      field: 'image',
      render: d => <code>{d.image}</code>,
    },
    {
      title: 'Status',
      field: 'status',
      render: d => (
        <>
          <DeploymentStatusLabel status={d.status} />
          <DeploymentFailure deployment={d} />
        </>
      ),
    },
    {
      title: 'Requested by',
      field: 'requestedBy',
      render: d => (
        <>
          {d.requestedBy === PAVED_ACTOR ? 'Paved' : displayRef(d.requestedBy)}
          <AutomaticLabel deployment={d} />
        </>
      ),
    },
    {
      title: 'When',
      field: 'createdAt',
      render: d => (
        <span title={absoluteTime(d.createdAt)}>
          {relativeTime(d.createdAt)}
        </span>
      ),
    },
    { title: 'Message', field: 'message' },
    {
      title: 'Actions',
      sorting: false,
      render: d =>
        canRollBackTo(d) ? (
          <Button
            size="small"
            variant="outlined"
            onClick={() => setRollbackTo(d)}
          >
            Roll back to {d.image}
          </Button>
        ) : null,
    },
  ];

  let body;
  if (history.error) {
    body = (
      <ResponseErrorPanel
        error={history.error}
        title="Could not load the deployment history"
      />
    );
  } else if (!history.value) {
    body = <Progress />;
  } else {
    body = (
      <Table<Deployment>
        options={{
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        columns={columns}
        data={history.value.items}
        emptyContent={
          <Box p={2}>
            <Typography>No deployments yet</Typography>
          </Box>
        }
      />
    );
  }

  return (
    <InfoCard
      title="Deployment history"
      titleTypographyProps={{ component: 'h2' } as object}
      actions={
        <>
          <Button
            size="small"
            disabled={page === 0 || history.loading}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer deployments
          </Button>
          <Button
            size="small"
            disabled={!history.value?.nextCursor || history.loading}
            onClick={() => setCursors([...cursors, history.value?.nextCursor])}
          >
            Older deployments
          </Button>
        </>
      }
    >
      {body}
      {rollbackTo && (
        <ActionDialog
          open
          onClose={() => setRollbackTo(undefined)}
          title={`Roll back ${rollbackTo.environment}`}
          confirmLabel="Roll back"
          entityRef={entityRef}
          onChange={onChange}
          action={async () => ({
            deployment: await api.rollback({
              entityRef,
              environment: rollbackTo.environment,
              toDeploymentId: rollbackTo.id,
            }),
          })}
        >
          <Typography variant="h6" component="p" gutterBottom>
            Roll back {rollbackTo.environment} to {rollbackTo.image}?
          </Typography>
          <Typography>
            Currently running:{' '}
            {liveImages[rollbackTo.environment] ?? 'nothing yet'}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            Deployed {relativeTime(rollbackTo.createdAt)} by{' '}
            {displayRef(rollbackTo.requestedBy)}.
          </Typography>
        </ActionDialog>
      )}
    </InfoCard>
  );
}

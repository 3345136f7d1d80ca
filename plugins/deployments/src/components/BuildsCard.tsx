import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Build } from '@paved/plugin-deployments-common';
import { Fragment, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { BuildLog } from './BuildLog';
import {
  BUILDS_IDLE_POLL_MS,
  BUILDS_POLL_MS,
  BuildStatusChip,
  firstLine,
  formatDuration,
  shortSha,
} from './buildHelpers';
import { absoluteTime, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

export const BUILDS_PAGE_SIZE = 10;

/** One build: status, commit, when, how long, the image; opens to its log. */
function BuildRow(props: {
  build: Build;
  open: boolean;
  onToggle: () => void;
  onFinished: () => void;
}) {
  const { build, open, onToggle, onFinished } = props;
  const sha = shortSha(build.commitSha);
  const duration =
    build.status === 'running'
      ? `running for ${formatDuration(
          Date.now() - Date.parse(build.startedAt),
        )}`
      : formatDuration(build.durationMs);
  return (
    <>
      <TableRow hover onClick={onToggle} style={{ cursor: 'pointer' }}>
        <TableCell padding="checkbox">
          <Button
            size="small"
            aria-label={`${open ? 'Hide' : 'Show'} the log of ${sha}`}
            aria-expanded={open}
            onClick={event => {
              event.stopPropagation();
              onToggle();
            }}
          >
            {open ? 'Hide log' : 'Log'}
          </Button>
        </TableCell>
        <TableCell>
          <BuildStatusChip status={build.status} />
        </TableCell>
        <TableCell>
          <Typography variant="body2">
            <code title={build.commitSha}>{sha}</code>{' '}
            {firstLine(build.commitMessage)}
          </Typography>
          {build.commitAuthor && (
            <Typography variant="caption" color="textSecondary">
              {build.commitAuthor}
            </Typography>
          )}
          {build.status === 'failed' && build.message && (
            <Typography variant="body2" color="error">
              {build.message}
            </Typography>
          )}
        </TableCell>
        <TableCell title={absoluteTime(build.startedAt)}>
          {relativeTime(build.startedAt)}
        </TableCell>
        <TableCell>{duration}</TableCell>
        <TableCell style={{ wordBreak: 'break-all' }}>
          <Typography variant="body2" component="span" title={build.digest}>
            {build.image ?? '—'}
          </Typography>
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={6} style={{ padding: open ? undefined : 0 }}>
          <Collapse in={open} timeout="auto" unmountOnExit>
            <BuildLog build={build} onFinished={onFinished} />
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}

/**
 * Overview card "Builds": the entity's builds, newest first, read again
 * every few seconds; a row opens to its log, which streams while the build
 * runs.
 */
export function BuildsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const latest = useAsyncRetry(
    () => api.listBuilds(entityRef, { limit: BUILDS_PAGE_SIZE }),
    [api, entityRef],
  );
  const [older, setOlder] = useState<Build[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<Error>();
  const [open, setOpen] = useState<Set<string>>(new Set());

  const items = latest.value?.items ?? [];
  const running = items.some(b => b.status === 'running');
  useInterval(latest.retry, running ? BUILDS_POLL_MS : BUILDS_IDLE_POLL_MS);

  // The newest build opens by itself while it runs, to watch it.
  const newest = items[0];
  useEffect(() => {
    if (newest?.status === 'running') {
      setOpen(previous => new Set(previous).add(newest.id));
    }
  }, [newest?.id, newest?.status]);

  const toggle = (id: string) =>
    setOpen(previous => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const showOlder = async () => {
    const cursor =
      olderCursor === undefined ? latest.value?.nextCursor : olderCursor;
    if (!cursor) return;
    setLoadingOlder(true);
    try {
      const page = await api.listBuilds(entityRef, {
        limit: BUILDS_PAGE_SIZE,
        cursor,
      });
      setOlder(previous => [...previous, ...page.items]);
      setOlderCursor(page.nextCursor ?? null);
      setOlderError(undefined);
    } catch (e) {
      setOlderError(e as Error);
    } finally {
      setLoadingOlder(false);
    }
  };
  const hasOlder =
    olderCursor === undefined
      ? Boolean(latest.value?.nextCursor)
      : olderCursor !== null;
  const shown = [
    ...items,
    ...older.filter(b => !items.some(i => i.id === b.id)),
  ];

  let body;
  if (latest.error && !latest.value) {
    body = (
      <ResponseErrorPanel
        error={latest.error}
        title="Could not load the builds"
      />
    );
  } else if (!latest.value) {
    body = <Progress />;
  } else if (shown.length === 0) {
    body = (
      <Typography color="textSecondary">
        No builds yet: push to main to build.
      </Typography>
    );
  } else {
    body = (
      <>
        <Table size="small" aria-label="Builds">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              <TableCell>Status</TableCell>
              <TableCell>Commit</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Image</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.map(build => (
              <Fragment key={build.id}>
                <BuildRow
                  build={build}
                  open={open.has(build.id)}
                  onToggle={() => toggle(build.id)}
                  onFinished={latest.retry}
                />
              </Fragment>
            ))}
          </TableBody>
        </Table>
        {olderError && (
          <Typography color="error">
            Could not load older builds: {olderError.message}
          </Typography>
        )}
        {hasOlder && (
          <Box mt={1}>
            <Button onClick={showOlder} disabled={loadingOlder}>
              Older builds
            </Button>
          </Box>
        )}
      </>
    );
  }

  return (
    <InfoCard
      title="Builds"
      titleTypographyProps={{ component: 'h2' } as object}
    >
      {body}
    </InfoCard>
  );
}

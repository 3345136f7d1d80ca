import { Progress, WarningPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Build } from '@paved/plugin-deployments-common';
import { makeStyles } from '@material-ui/core/styles';
import { UIEvent, useCallback, useEffect, useRef, useState } from 'react';
import useInterval from 'react-use/esm/useInterval';
import { BUILD_LOG_POLL_MS, shortSha } from './buildHelpers';
import { useDeploymentsApi } from './hooks';

const useStyles = makeStyles(theme => ({
  log: {
    margin: 0,
    padding: theme.spacing(1),
    maxHeight: 400,
    overflow: 'auto',
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    backgroundColor: theme.palette.background.default,
  },
}));

/** Log text so far; `truncated` once the backend said the start was dropped. */
interface LogState {
  text: string;
  nextOffset: number;
  finished: boolean;
  truncated: boolean;
  loaded: boolean;
}

/**
 * A build's log. While the build runs it reads what was appended since the
 * last read (`/builds/:id/log?offset=`) every second, until the build ends.
 */
export function BuildLog(props: { build: Build; onFinished?: () => void }) {
  const { build, onFinished } = props;
  const api = useDeploymentsApi();
  const classes = useStyles();
  const [log, setLog] = useState<LogState>({
    text: '',
    nextOffset: 0,
    finished: false,
    truncated: false,
    loaded: false,
  });
  const [error, setError] = useState<Error>();
  const offset = useRef(0);
  const reading = useRef(false);
  const pre = useRef<HTMLPreElement>(null);
  const startedRunning = useRef(build.status === 'running');

  const read = useCallback(async () => {
    if (reading.current) return;
    reading.current = true;
    try {
      const chunk = await api.getBuildLog(build.id, offset.current);
      offset.current = chunk.nextOffset;
      setLog(previous => ({
        text: previous.text + chunk.text,
        nextOffset: chunk.nextOffset,
        finished: chunk.finished,
        truncated: previous.truncated || chunk.truncated,
        loaded: true,
      }));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      reading.current = false;
    }
  }, [api, build.id]);

  useEffect(() => {
    read();
  }, [read]);
  useInterval(read, log.loaded && !log.finished ? BUILD_LOG_POLL_MS : null);

  useEffect(() => {
    if (log.finished && startedRunning.current) onFinished?.();
    // once, when a build that was running ends
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [log.finished]);

  // Follow the end of the log while it grows, unless the reader scrolled up.
  const atEnd = useRef(true);
  useEffect(() => {
    const element = pre.current;
    if (element && atEnd.current) element.scrollTop = element.scrollHeight;
  }, [log.text]);

  if (!log.loaded && !error) return <Progress />;
  return (
    <Box>
      {error && (
        <WarningPanel
          severity="error"
          title="Could not read the log"
          message={error.message}
        />
      )}
      {log.truncated && (
        <Typography variant="body2" color="textSecondary">
          The start of this log was dropped: the last 1 Mi characters are kept.
        </Typography>
      )}
      {log.loaded && log.text === '' && log.finished ? (
        <Typography variant="body2" color="textSecondary">
          This build wrote no log.
        </Typography>
      ) : (
        <pre
          role="log"
          aria-label={`Log of build ${shortSha(build.commitSha)}`}
          ref={pre}
          className={classes.log}
          onScroll={(event: UIEvent<HTMLPreElement>) => {
            const element = event.currentTarget;
            atEnd.current =
              element.scrollHeight - element.scrollTop - element.clientHeight <
              24;
          }}
        >
          {log.text}
        </pre>
      )}
      {!log.finished && log.loaded && (
        <Typography variant="caption" color="textSecondary">
          Following the log while the build runs…
        </Typography>
      )}
    </Box>
  );
}

import { stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useDeploymentsApi } from '../hooks';
import { LogLines } from './LogLines';
import { LogsToolbar, RANGES } from './LogsToolbar';
import { useLogStream } from './useLogStream';

/** What to tell the user about a failed call: 403 is about them, the rest is the backend's message. */
export function logsErrorMessage(error: Error): string {
  if (error instanceof ResponseError && error.statusCode === 403) {
    return "You can't read this service's logs.";
  }
  return error.message;
}

/** "since 15 minutes ago", or nothing for the last N lines. */
function rangeText(range: string): string {
  if (range.startsWith('tail:')) return 'yet';
  return RANGES.find(r => r.value === range)?.label.toLowerCase() ?? range;
}

function Failure(props: { children: string }) {
  return (
    <Typography role="alert" color="error" paragraph>
      {props.children}
    </Typography>
  );
}

/** The "Logs" tab: the service's container logs per environment, read or followed. */
export function LogsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();

  const environments = useAsync(
    () => api.listEnvironments(entityRef),
    [api, entityRef],
  );
  const [environment, setEnvironment] = useState<string>();
  const env = environment ?? environments.value?.[0]?.environment;
  const podsOf = useAsync(
    async () => ({ env, items: env ? await api.listPods(entityRef, env) : [] }),
    [api, entityRef, env],
  );
  // Until the pods of a newly chosen environment come, the old ones are not its.
  const current = podsOf.value?.env === env;
  const pods = {
    loading: podsOf.loading || (!current && !podsOf.error),
    error: podsOf.error,
    value: current ? podsOf.value?.items : undefined,
  };
  const [pod, setPod] = useState('');
  const [container, setContainer] = useState('');
  const [range, setRange] = useState(RANGES[0].value);
  const [follow, setFollow] = useState(false);

  // A pod of another environment is not one of this one's.
  useEffect(() => {
    setPod('');
    setContainer('');
  }, [env]);

  const havePods = !!pods.value?.length;
  const selection = useMemo(
    () =>
      env && havePods ? { environment: env, pod, container, range } : undefined,
    [env, havePods, pod, container, range],
  );
  const stream = useLogStream(api, entityRef, selection, follow);

  if (environments.loading) return <Progress />;
  if (environments.error) {
    return <Failure>{logsErrorMessage(environments.error)}</Failure>;
  }

  const containers =
    pods.value?.find(p => p.name === pod)?.containers ??
    pods.value?.[0]?.containers ??
    [];

  return (
    <Box>
      <LogsToolbar
        environments={(environments.value ?? []).map(e => e.environment)}
        environment={env ?? ''}
        onEnvironment={setEnvironment}
        pods={(pods.value ?? []).map(p => p.name)}
        pod={pod}
        onPod={setPod}
        containers={containers}
        container={container}
        onContainer={setContainer}
        range={range}
        onRange={setRange}
        follow={follow}
        onFollow={setFollow}
      />
      {pods.loading && <Progress />}
      {pods.error && <Failure>{logsErrorMessage(pods.error)}</Failure>}
      {!pods.loading && !pods.error && !havePods && (
        <Typography>No pods running in {env ?? 'this environment'}.</Typography>
      )}
      {havePods && (
        <>
          {stream.error && <Failure>{logsErrorMessage(stream.error)}</Failure>}
          {stream.dropped > 0 && (
            <Typography variant="caption" component="p">
              Keeping the last {stream.lines.length.toLocaleString('en-US')}{' '}
              lines; {stream.dropped.toLocaleString('en-US')} earlier lines
              dropped.
            </Typography>
          )}
          {stream.status === 'reading' && !stream.lines.length && <Progress />}
          {stream.status === 'done' && !stream.lines.length && (
            <Typography>No log lines {rangeText(range)}.</Typography>
          )}
          {stream.status === 'following' && !stream.lines.length && (
            <Typography>Following; no log lines yet.</Typography>
          )}
          {stream.lines.length > 0 && (
            <LogLines
              lines={stream.lines}
              dropped={stream.dropped}
              showPod={!pod}
              following={stream.status === 'following'}
            />
          )}
        </>
      )}
    </Box>
  );
}

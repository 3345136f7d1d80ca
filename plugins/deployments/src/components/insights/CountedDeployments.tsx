import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { absoluteTime, displayRef } from '../format';
import { useDeploymentsApi } from '../hooks';
import { DeploymentStatusLabel } from '../StatusLabels';
import { duration } from './format';

/** At most this many deployments are read for one drill-down; the rest are counted. */
export const DRILL_DOWN_LIMIT = 25;

/** What a deployment row adds: the lead time's commit, or the recovery. */
export type DeploymentNote = Record<string, string>;

const entityPath = (entityRef: string) => {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase(
    'en-US',
  )}/${name}/environments`;
};

/** The deployments a figure counts, read one by one through the API, each with its note. */
export function CountedDeployments(props: {
  ids: string[];
  notes?: DeploymentNote;
}) {
  const { ids, notes } = props;
  const api = useDeploymentsApi();
  const shown = ids.slice(0, DRILL_DOWN_LIMIT);
  const deployments = useAsync(
    () => Promise.all(shown.map(id => api.getDeployment(id))),
    [api, shown.join(',')],
  );
  if (ids.length === 0) {
    return <Typography variant="body2">No deployments counted.</Typography>;
  }
  if (deployments.loading) return <Progress />;
  if (deployments.error) {
    return (
      <ResponseErrorPanel
        error={deployments.error}
        title="Could not load the deployments"
      />
    );
  }
  return (
    <ul aria-label="Counted deployments" style={{ paddingLeft: 16 }}>
      {(deployments.value ?? []).map(d => (
        <li key={d.id}>
          <Typography variant="body2" component="span">
            <Link to={entityPath(d.entityRef)}>{displayRef(d.entityRef)}</Link>{' '}
            {d.image} · <DeploymentStatusLabel status={d.status} /> ·{' '}
            {absoluteTime(d.finishedAt ?? d.createdAt)}
            {notes?.[d.id] ? ` · ${notes[d.id]}` : ''}
          </Typography>
        </li>
      ))}
      {ids.length > shown.length && (
        <li>
          <Typography variant="body2" component="span">
            and {ids.length - shown.length} more
          </Typography>
        </li>
      )}
    </ul>
  );
}

/** The note of a lead-time sample: its commit and how long it took to production. */
export const commitNote = (sample: {
  commitSha?: string;
  commitTime: string;
  seconds: number;
}) =>
  `commit ${sample.commitSha?.slice(0, 12) ?? '(unknown)'} of ${absoluteTime(
    sample.commitTime,
  )}, ${duration(sample.seconds)} to production`;

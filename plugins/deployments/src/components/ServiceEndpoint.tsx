import { StatusError, StatusOK } from '@backstage/core-components';
import { Link } from '@backstage/ui';
import Typography from '@material-ui/core/Typography';
import { ServiceHealth } from '@paved/plugin-deployments-common';

/** Where the service answers, as a link. */
export function ServiceUrl(props: { url: string }) {
  return (
    <Link href={props.url} target="_blank" rel="noopener">
      {props.url}
    </Link>
  );
}

/**
 * What the running service answered at /healthz, asked live by the backend;
 * with the version it reported unless `hideVersion` (shown beside it).
 */
export function ServiceHealthLabel(props: {
  health?: ServiceHealth;
  hideVersion?: boolean;
}) {
  const { health, hideVersion } = props;
  if (!health) {
    return (
      <Typography variant="body2" color="textSecondary" component="span">
        not asked
      </Typography>
    );
  }
  if (!health.healthy) {
    return (
      <>
        <StatusError>Not answering</StatusError>
        {health.error && (
          <Typography variant="body2" color="textSecondary">
            {health.error}
          </Typography>
        )}
      </>
    );
  }
  if (hideVersion) return <StatusOK>Healthy</StatusOK>;
  return (
    <StatusOK>
      Healthy
      {health.version ? (
        <>
          {', version '}
          <code data-testid="reported-version">{health.version}</code>
        </>
      ) : (
        ', no version reported'
      )}
    </StatusOK>
  );
}

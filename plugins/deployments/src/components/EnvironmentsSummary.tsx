import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { EnvironmentStatus } from '@paved/plugin-deployments-common';
import { ReactNode } from 'react';
import { AutomaticLabel, FAILURE_REASONS } from './DeploymentFailure';
import { absoluteTime, displayRef, imageVersion, relativeTime } from './format';
import { ServiceHealthLabel, ServiceUrl } from './ServiceEndpoint';
import { DeploymentStatusLabel, RolloutStateLabel } from './StatusLabels';

/** A quiet note in a cell, e.g. "Not deployed yet". */
function Note(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {props.children}
    </Typography>
  );
}

const NOTHING = <Note>—</Note>;

/** Short values stay on one line; the URL breaks anywhere rather than squeeze them. */
const ONE_LINE = { whiteSpace: 'nowrap' } as const;
const URL_CELL = { wordBreak: 'break-all', minWidth: 160 } as const;
const STATUS_CELL = { minWidth: 160 } as const;

/** The image's tag (the whole reference on hover), and the version the service reports if it differs. */
function Version(props: { status: EnvironmentStatus }) {
  const { image, health } = props.status;
  if (!image) return <Note>Not deployed yet</Note>;
  const tag = imageVersion(image);
  const reported = health?.healthy ? health.version : undefined;
  return (
    <>
      <code title={image}>{tag}</code>
      {reported && reported !== tag && (
        <Box component="span" display="block">
          <Note>
            reports <code data-testid="reported-version">{reported}</code>
          </Note>
        </Box>
      )}
    </>
  );
}

/** The service's answer at /healthz; the rollout's state when it was not asked or is not complete. */
function Health(props: { status: EnvironmentStatus }) {
  const { image, health, rolloutState } = props.status;
  if (!image && rolloutState === 'not-deployed') return NOTHING;
  return (
    <>
      {health && <ServiceHealthLabel health={health} hideVersion />}
      {(!health || rolloutState !== 'complete') && (
        <Box component="span" display="block">
          <RolloutStateLabel state={rolloutState} />
        </Box>
      )}
    </>
  );
}

/** Who deployed last and when, and how that went. */
function LastDeploy(props: { status: EnvironmentStatus }) {
  const last = props.status.lastDeployment;
  if (!last) {
    return props.status.image ? <Note>not through the portal</Note> : NOTHING;
  }
  return (
    <>
      <span title={absoluteTime(last.createdAt)}>
        {displayRef(last.requestedBy)}, {relativeTime(last.createdAt)}
      </span>
      <Box component="span" display="block">
        <DeploymentStatusLabel status={last.status} />
        <AutomaticLabel deployment={last} />
      </Box>
      {last.status === 'failed' && last.failureReason && (
        <Note>{FAILURE_REASONS[last.failureReason] ?? last.failureReason}</Note>
      )}
    </>
  );
}

/** One row per environment: version, health, URL and the last deploy. */
export function EnvironmentsSummary(props: {
  environments: EnvironmentStatus[];
}) {
  return (
    <Table size="small" aria-label="What runs where">
      <TableHead>
        <TableRow>
          <TableCell style={ONE_LINE}>Environment</TableCell>
          <TableCell style={ONE_LINE}>Version</TableCell>
          <TableCell style={ONE_LINE}>Health</TableCell>
          <TableCell>URL</TableCell>
          <TableCell style={ONE_LINE}>Last deploy</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.environments.map(status => (
          <TableRow
            key={status.environment}
            data-testid={`summary-${status.environment}`}
          >
            <TableCell component="th" scope="row" style={ONE_LINE}>
              <Typography variant="body2" component="span">
                <strong>{status.environment}</strong>
              </Typography>
              {status.requiresApproval && (
                <Box component="span" display="block">
                  <Note>requires approval</Note>
                </Box>
              )}
            </TableCell>
            <TableCell style={ONE_LINE}>
              <Version status={status} />
            </TableCell>
            <TableCell style={STATUS_CELL}>
              <Health status={status} />
            </TableCell>
            <TableCell style={URL_CELL}>
              {status.url ? <ServiceUrl url={status.url} /> : NOTHING}
            </TableCell>
            <TableCell style={STATUS_CELL}>
              <LastDeploy status={status} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

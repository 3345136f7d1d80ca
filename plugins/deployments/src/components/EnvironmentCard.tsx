import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  ApprovalRequest,
  EnvironmentStatus,
} from '@paved/plugin-deployments-common';
import { useState } from 'react';
import { ActionDialog } from './ActionDialog';
import { AutomaticLabel, DeploymentFailure } from './DeploymentFailure';
import { ServiceHealthLabel, ServiceUrl } from './ServiceEndpoint';
import { DeploymentStatusLabel, RolloutStateLabel } from './StatusLabels';
import { absoluteTime, displayRef, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

export interface EnvironmentCardProps {
  entityRef: string;
  status: EnvironmentStatus;
  /** The environment that this one promotes to, if any. */
  next?: EnvironmentStatus;
  /** Pending approvals of promotions into this environment. */
  approvals: ApprovalRequest[];
  canPromote: boolean;
  canApprove: boolean;
  /** The signed-in user's entity ref. */
  currentUser?: string;
  onChange: () => void;
}

function Field(props: { label: string; children: React.ReactNode }) {
  return (
    <Box display="flex" mb={1}>
      <Box minWidth={140} color="text.secondary">
        <Typography variant="body2" component="span">
          {props.label}
        </Typography>
      </Box>
      <Typography variant="body2" component="div">
        {props.children}
      </Typography>
    </Box>
  );
}

function PendingApproval(props: {
  approval: ApprovalRequest;
  entityRef: string;
  running?: string;
  canDecide: boolean;
  requestedByMe: boolean;
  onChange: () => void;
}) {
  const { approval, entityRef, running, canDecide, requestedByMe, onChange } =
    props;
  const api = useDeploymentsApi();
  const [dialog, setDialog] = useState<'approve' | 'reject'>();
  const [reason, setReason] = useState('');
  let note: string | undefined;
  if (requestedByMe) {
    note = 'You asked for this promotion; someone else approves it.';
  } else if (!canDecide) {
    note = 'Waiting for the owning team or the platform team to approve.';
  }
  return (
    <ListItem
      disableGutters
      data-testid={`approval-${approval.id}`}
      aria-label={`Approval of ${approval.image}`}
    >
      <ListItemText
        primary={`${approval.image} from ${approval.fromEnvironment}`}
        secondary={
          <>
            <span title={absoluteTime(approval.createdAt)}>
              Requested by {displayRef(approval.requestedBy)}{' '}
              {relativeTime(approval.createdAt)}
            </span>
            {note && (
              <>
                <br />
                {note}
              </>
            )}
          </>
        }
      />
      {canDecide && !requestedByMe && (
        <Box display="flex" flexShrink={0} ml={1}>
          <Button
            color="primary"
            variant="contained"
            onClick={() => setDialog('approve')}
          >
            Approve
          </Button>
          <Box ml={1}>
            <Button variant="outlined" onClick={() => setDialog('reject')}>
              Reject
            </Button>
          </Box>
        </Box>
      )}
      <ActionDialog
        open={dialog === 'approve'}
        onClose={() => setDialog(undefined)}
        title={`Approve promotion to ${approval.toEnvironment}`}
        confirmLabel="Approve and deploy"
        entityRef={entityRef}
        onChange={onChange}
        action={async () => ({
          deployment: (await api.approve(approval.id)).deployment,
        })}
      >
        <Typography variant="h6" component="p" gutterBottom>
          Deploy {approval.image} to {approval.toEnvironment}?
        </Typography>
        <Typography>
          Requested by {displayRef(approval.requestedBy)}. Currently running:{' '}
          {running ?? 'nothing yet'}
        </Typography>
      </ActionDialog>
      <ActionDialog
        open={dialog === 'reject'}
        onClose={() => setDialog(undefined)}
        title={`Reject promotion to ${approval.toEnvironment}`}
        confirmLabel="Reject promotion"
        entityRef={entityRef}
        onChange={onChange}
        action={async () => {
          await api.reject(approval.id, {
            reason: reason.trim() || undefined,
          });
          return {
            message: `Rejected: ${approval.image} is not deployed to ${approval.toEnvironment}.`,
          };
        }}
      >
        <Typography>
          Reject the promotion of {approval.image} to {approval.toEnvironment}{' '}
          requested by {displayRef(approval.requestedBy)}?
        </Typography>
        <TextField
          id={`reject-reason-${approval.id}`}
          label="Reason (optional)"
          helperText="Shown to the requester in the approval and the history."
          value={reason}
          onChange={event => setReason(event.target.value)}
          inputProps={{ maxLength: 500 }}
          fullWidth
          multiline
          margin="normal"
        />
      </ActionDialog>
    </ListItem>
  );
}

/** One environment: what runs there, its rollout, the last deploy, promotion and approvals. */
export function EnvironmentCard(props: EnvironmentCardProps) {
  const { entityRef, status, next, approvals, onChange } = props;
  const { canPromote, canApprove, currentUser } = props;
  const api = useDeploymentsApi();
  const [promoting, setPromoting] = useState(false);
  const last = status.lastDeployment;
  const deployed = status.rolloutState !== 'not-deployed' || status.image;
  const headingId = `environment-${status.environment}-heading`;

  return (
    <section
      aria-labelledby={headingId}
      data-testid={`environment-${status.environment}`}
    >
      <InfoCard
        title={<span id={headingId}>{status.environment}</span>}
        titleTypographyProps={{ component: 'h2' } as object}
        subheader={`Namespace ${status.namespace}`}
        action={
          <Box display="flex" mt={1} mr={1}>
            {status.requiresApproval && (
              <Chip size="small" label="Requires approval" />
            )}
            {approvals.length > 0 && (
              <Box ml={1}>
                <Chip size="small" color="secondary" label="Approval pending" />
              </Box>
            )}
          </Box>
        }
        actions={
          next &&
          canPromote &&
          status.image && (
            <Button
              color="primary"
              variant="outlined"
              onClick={() => setPromoting(true)}
            >
              Promote to {next.environment}
            </Button>
          )
        }
      >
        {deployed ? (
          <>
            {status.url && (
              <Field label="URL">
                <ServiceUrl url={status.url} />
              </Field>
            )}
            {status.url && (
              <Field label="Health">
                <ServiceHealthLabel health={status.health} />
              </Field>
            )}
            <Field label="Image">
              <code>{status.image ?? 'unknown'}</code>
            </Field>
            <Field label="Replicas">
              {status.replicas.desired} desired, {status.replicas.ready} ready,{' '}
              {status.replicas.updated} updated, {status.replicas.available}{' '}
              available
            </Field>
            <Field label="Rollout">
              <RolloutStateLabel state={status.rolloutState} />
              {status.rolloutMessage && (
                <Typography variant="body2" color="textSecondary">
                  {status.rolloutMessage}
                </Typography>
              )}
            </Field>
          </>
        ) : (
          <Typography paragraph>Not deployed yet</Typography>
        )}
        <Field label="Last deploy">
          {last ? (
            <>
              <span title={absoluteTime(last.createdAt)}>
                {displayRef(last.requestedBy)}, {relativeTime(last.createdAt)}
              </span>{' '}
              <DeploymentStatusLabel status={last.status} />
              <AutomaticLabel deployment={last} />
              {last.message && (
                <Typography variant="body2" color="textSecondary">
                  {last.message}
                </Typography>
              )}
              <DeploymentFailure deployment={last} />
            </>
          ) : (
            'none through the portal yet'
          )}
        </Field>
        {approvals.length > 0 && (
          <Box mt={2}>
            <Typography variant="subtitle2" component="h3">
              Approval pending
            </Typography>
            <List
              dense
              aria-label={`Pending approvals for ${status.environment}`}
            >
              {approvals.map(approval => (
                <PendingApproval
                  key={approval.id}
                  approval={approval}
                  entityRef={entityRef}
                  running={status.image}
                  canDecide={canApprove}
                  requestedByMe={
                    Boolean(currentUser) &&
                    approval.requestedBy.toLocaleLowerCase('en-US') ===
                      currentUser?.toLocaleLowerCase('en-US')
                  }
                  onChange={onChange}
                />
              ))}
            </List>
          </Box>
        )}
      </InfoCard>
      {next && (
        <ActionDialog
          open={promoting}
          onClose={() => setPromoting(false)}
          title={`Promote to ${next.environment}`}
          confirmLabel="Promote"
          entityRef={entityRef}
          onChange={onChange}
          action={async () => {
            const result = await api.promote({
              entityRef,
              from: status.environment,
              to: next.environment,
            });
            if (result.type === 'deployment') {
              return { deployment: result.deployment };
            }
            return {
              message: `Approval pending: ${result.approval.image} goes to ${next.environment} once a member of the owning team or the platform team approves it (not you).`,
            };
          }}
        >
          <Typography variant="h6" component="p" gutterBottom>
            Promote {status.image} from {status.environment} to{' '}
            {next.environment}?
          </Typography>
          <Typography>
            Currently running in {next.environment}:{' '}
            {next.image ?? 'nothing yet'}
          </Typography>
          {next.requiresApproval && (
            <Typography>
              {next.environment} requires approval: this asks for it, and
              someone else approves.
            </Typography>
          )}
        </ActionDialog>
      )}
    </section>
  );
}

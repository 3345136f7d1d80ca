import { WarningPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { Deployment } from '@paved/plugin-deployments-common';
import { ReactNode, useState } from 'react';
import { describeError } from './format';
import { RolloutProgress } from './RolloutProgress';

/** What an action did: started a deployment, or something to say (e.g. an approval is pending). */
export interface ActionOutcome {
  deployment?: Deployment;
  message?: ReactNode;
}

/**
 * An action run once the user confirmed it: whether it is running, what it
 * did, or why it failed (the user may then try again).
 */
export function useConfirmedAction(
  action: () => Promise<ActionOutcome>,
  onDone?: (outcome: ActionOutcome) => void,
) {
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [outcome, setOutcome] = useState<ActionOutcome>();

  const run = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const done = await action();
      setOutcome(done);
      onDone?.(done);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };
  const reset = () => {
    setSubmitting(false);
    setError(undefined);
    setOutcome(undefined);
  };
  return { submitting, error, outcome, run, reset };
}

/** The frame of every deployments dialog: a title that names it, the content, the buttons. */
export function DialogShell(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  actions: ReactNode;
}) {
  const { open, onClose, title, children, actions } = props;
  const titleId = `action-dialog-${title.replace(/\W+/g, '-')}`;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>{children}</DialogContent>
      <DialogActions>{actions}</DialogActions>
    </Dialog>
  );
}

/** "Cancel" (or "Back") and the button that confirms, both disabled while the action runs. */
export function ConfirmButtons(props: {
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  cancelLabel?: string;
  submitting: boolean;
}) {
  const { confirmLabel, onConfirm, onCancel, submitting } = props;
  return (
    <>
      <Button onClick={onCancel} disabled={submitting}>
        {props.cancelLabel ?? 'Cancel'}
      </Button>
      <Button
        color="primary"
        variant="contained"
        onClick={onConfirm}
        disabled={submitting}
      >
        {confirmLabel}
      </Button>
    </>
  );
}

/** Why an action failed, in the backend's words. */
export function ActionErrorPanel(props: { error?: Error }) {
  if (!props.error) return null;
  const { title, message } = describeError(props.error);
  return (
    <Box mt={2}>
      <WarningPanel
        severity="error"
        title={title}
        message={message}
        defaultExpanded
      />
    </Box>
  );
}

/** What an action did: its message, and the rollout it started, followed to its end. */
export function ActionOutcomeView(props: {
  outcome: ActionOutcome;
  entityRef: string;
  /** Where the Environments tab is, linked with the rollout's result. */
  environmentsHref?: string;
  onFinished?: (deployment: Deployment) => void;
}) {
  const { outcome, entityRef, environmentsHref, onFinished } = props;
  return (
    <>
      {outcome.message && <Typography>{outcome.message}</Typography>}
      {outcome.deployment && (
        <RolloutProgress
          entityRef={entityRef}
          deployment={outcome.deployment}
          environmentsHref={environmentsHref}
          onFinished={onFinished}
        />
      )}
    </>
  );
}

export interface ActionDialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** The question, e.g. "Roll back staging to …? Currently running: …" */
  children: ReactNode;
  confirmLabel: string;
  action: () => Promise<ActionOutcome>;
  entityRef: string;
  /** Called after the action, and when a deployment it started finished. */
  onChange?: () => void;
}

/** Confirm an action, run it, then follow the rollout it started. */
export function ActionDialog(props: ActionDialogProps) {
  const { open, onClose, title, children, confirmLabel, action, entityRef } =
    props;
  const { onChange } = props;
  const { submitting, error, outcome, run, reset } = useConfirmedAction(
    action,
    () => onChange?.(),
  );
  const close = () => {
    onClose();
    reset();
  };

  return (
    <DialogShell
      open={open}
      onClose={close}
      title={title}
      actions={
        outcome ? (
          <Button onClick={close}>Close</Button>
        ) : (
          <ConfirmButtons
            confirmLabel={confirmLabel}
            onConfirm={run}
            onCancel={close}
            submitting={submitting}
          />
        )
      }
    >
      {outcome ? (
        <ActionOutcomeView
          outcome={outcome}
          entityRef={entityRef}
          onFinished={() => onChange?.()}
        />
      ) : (
        children
      )}
      <ActionErrorPanel error={error} />
    </DialogShell>
  );
}

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
import { describeError } from './helpers';
import { RolloutProgress } from './RolloutProgress';

/** What an action did: started a deployment, or something to say (e.g. an approval is pending). */
export interface ActionOutcome {
  deployment?: Deployment;
  message?: ReactNode;
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
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [outcome, setOutcome] = useState<ActionOutcome>();

  const close = () => {
    onClose();
    setSubmitting(false);
    setError(undefined);
    setOutcome(undefined);
  };

  const confirm = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      setOutcome(await action());
      onChange?.();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  const described = error && describeError(error);
  const titleId = `action-dialog-${title.replace(/\W+/g, '-')}`;
  return (
    <Dialog
      open={open}
      onClose={close}
      fullWidth
      maxWidth="sm"
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        {!outcome && children}
        {outcome?.message && <Typography>{outcome.message}</Typography>}
        {outcome?.deployment && (
          <RolloutProgress
            entityRef={entityRef}
            deployment={outcome.deployment}
            onFinished={() => onChange?.()}
          />
        )}
        {described && (
          <Box mt={2}>
            <WarningPanel
              severity="error"
              title={described.title}
              message={described.message}
              defaultExpanded
            />
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {outcome ? (
          <Button onClick={close}>Close</Button>
        ) : (
          <>
            <Button onClick={close} disabled={submitting}>
              Cancel
            </Button>
            <Button
              color="primary"
              variant="contained"
              onClick={confirm}
              disabled={submitting}
            >
              {confirmLabel}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

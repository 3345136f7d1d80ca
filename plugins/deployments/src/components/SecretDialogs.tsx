import { Progress } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  SecretChangeResult,
  secretKeyProblem,
  secretValueProblem,
} from '@paved/plugin-deployments-common';
import { useEffect, useState } from 'react';
import {
  ActionErrorPanel,
  ActionOutcome,
  ActionOutcomeView,
  ConfirmButtons,
  DialogShell,
  useConfirmedAction,
} from './ActionDialog';
import { useDeploymentsApi } from './hooks';

/** A secret operation, run once with `dryRun: true` to confirm, then for real. */
export type SecretOperation = {
  title: string;
  confirmLabel: string;
  run: (dryRun: boolean) => Promise<SecretChangeResult>;
};

/** "API_TOKEN added, FEATURE_KEY removed; restarts Deployment orders in orders-staging." */
function describePlan(plan: SecretChangeResult): string {
  const changes = plan.changes.map(c => `${c.key} ${c.change}`).join(', ');
  const restarts = plan.restarts.length
    ? `restarts Deployment ${plan.restarts
        .map(r => `${r.name} in ${r.namespace}`)
        .join(', ')}`
    : 'restarts nothing (the service does not run there yet)';
  return `${changes}; ${restarts}.`;
}

/**
 * Asks the backend what an operation would do (a dry run), shows it, and
 * runs it when confirmed, following the restart it starts. Never shows a
 * value.
 */
export function SecretOperationDialog(props: {
  operation: SecretOperation;
  entityRef: string;
  onClose: () => void;
  onChange: () => void;
}) {
  const { operation, entityRef, onClose, onChange } = props;
  const api = useDeploymentsApi();
  const [plan, setPlan] = useState<SecretChangeResult>();
  const [planError, setPlanError] = useState<Error>();
  useEffect(() => {
    operation.run(true).then(setPlan, setPlanError);
  }, [operation]);
  const { submitting, error, outcome, run } = useConfirmedAction(
    async (): Promise<ActionOutcome> => {
      const result = await operation.run(false);
      return {
        message: `Version ${result.version} written: ${describePlan(result)}`,
        deployment: result.deploymentId
          ? await api.getDeployment(result.deploymentId)
          : undefined,
      };
    },
    onChange,
  );

  let content;
  if (outcome) {
    content = (
      <ActionOutcomeView
        outcome={outcome}
        entityRef={entityRef}
        onFinished={onChange}
      />
    );
  } else if (planError) {
    content = null;
  } else if (!plan) {
    content = <Progress />;
  } else {
    content = (
      <Typography>
        {`Dry run: ${describePlan(plan)}`} Nothing has changed yet.
      </Typography>
    );
  }
  return (
    <DialogShell
      open
      onClose={onClose}
      title={operation.title}
      actions={
        outcome || planError ? (
          <Button onClick={onClose}>Close</Button>
        ) : (
          <ConfirmButtons
            confirmLabel={operation.confirmLabel}
            onConfirm={run}
            onCancel={onClose}
            submitting={submitting || !plan}
          />
        )
      }
    >
      {content}
      <ActionErrorPanel error={planError ?? error} />
    </DialogShell>
  );
}

/** The key and value of a key to set; checked as the backend checks them. */
export function SetKeyDialog(props: {
  environment: string;
  onClose: () => void;
  onNext: (key: string, value: string) => void;
}) {
  const { environment, onClose, onNext } = props;
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const keyProblem = key ? secretKeyProblem(key) : undefined;
  const valueProblem = value ? secretValueProblem(value) : undefined;
  const ready = Boolean(key && value && !keyProblem && !valueProblem);
  return (
    <DialogShell
      open
      onClose={onClose}
      title={`Set a secret in ${environment}`}
      actions={
        <ConfirmButtons
          confirmLabel="Next"
          onConfirm={() => ready && onNext(key, value)}
          onCancel={onClose}
          submitting={!ready}
        />
      }
    >
      <TextField
        id="secret-key"
        label="Key"
        value={key}
        onChange={e => setKey(e.target.value)}
        error={Boolean(keyProblem)}
        helperText={
          keyProblem ? `Key ${keyProblem}` : 'An environment variable name'
        }
        fullWidth
        margin="normal"
      />
      <TextField
        id="secret-value"
        label="Value"
        type="password"
        autoComplete="off"
        value={value}
        onChange={e => setValue(e.target.value)}
        error={Boolean(valueProblem)}
        helperText={
          valueProblem
            ? `Value ${valueProblem}`
            : 'Sent to Vault; never shown again'
        }
        fullWidth
        margin="normal"
      />
    </DialogShell>
  );
}

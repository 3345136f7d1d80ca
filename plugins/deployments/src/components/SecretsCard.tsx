import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  SecretChangeResult,
  SecretKey,
  secretKeyProblem,
  secretRotatePermission,
  secretValueProblem,
  secretWritePermission,
} from '@paved/plugin-deployments-common';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  ActionErrorPanel,
  ActionOutcome,
  ActionOutcomeView,
  ConfirmButtons,
  DialogShell,
  useConfirmedAction,
} from './ActionDialog';
import { absoluteTime, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

/** A secret operation, run once with `dryRun: true` to confirm, then for real. */
type SecretOperation = {
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
function SecretOperationDialog(props: {
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
function SetKeyDialog(props: {
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

function KeyRow(props: {
  item: SecretKey;
  canWrite: boolean;
  canRotate: boolean;
  onUnset: () => void;
  onRotate: () => void;
}) {
  const { item, canWrite, canRotate, onUnset, onRotate } = props;
  return (
    <TableRow>
      <TableCell>
        <code>{item.key}</code>
        {item.overridden && (
          <Typography variant="caption" color="textSecondary">
            {' '}
            (overridden here)
          </Typography>
        )}
      </TableCell>
      <TableCell title={item.vaultPath}>
        {item.source === 'environment' ? 'this environment' : 'the service'}
      </TableCell>
      <TableCell>{item.version}</TableCell>
      <TableCell title={absoluteTime(item.updatedAt)}>
        {relativeTime(item.updatedAt)}
        {item.updatedBy ? ` by ${item.updatedBy}` : ''}
      </TableCell>
      <TableCell align="right">
        {canRotate && item.generated && !item.overridden && (
          <Button size="small" onClick={onRotate}>
            Rotate
          </Button>
        )}
        {canWrite && item.source === 'environment' && (
          <Button size="small" onClick={onUnset}>
            Unset
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}

/**
 * Overview card "Secrets": per environment, the keys the service's pods
 * get (name, where from, version, when and by whom), and set, unset,
 * rotate and roll back, each confirmed after a dry run. Values are never
 * sent to the browser.
 */
export function SecretsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useDeploymentsApi();
  const environments = useAsyncRetry(
    () => api.listEnvironments(entityRef),
    [api, entityRef],
  );
  const [chosen, setChosen] = useState<string>();
  const environment = chosen ?? environments.value?.[0]?.environment;
  const secrets = useAsyncRetry(
    async () =>
      environment ? api.listSecrets(entityRef, environment) : undefined,
    [api, entityRef, environment],
  );
  const canWrite = usePermission({
    permission: secretWritePermission,
    resourceRef: entityRef,
  }).allowed;
  const canRotate = usePermission({
    permission: secretRotatePermission,
    resourceRef: entityRef,
  }).allowed;
  const [operation, setOperation] = useState<SecretOperation>();
  const [setting, setSetting] = useState(false);

  const operate = (op: SecretOperation) => setOperation(op);
  const unset = (key: string) =>
    operate({
      title: `Unset ${key} in ${environment}`,
      confirmLabel: 'Unset and restart',
      run: dryRun =>
        api.changeSecrets(entityRef, environment!, { unset: [key], dryRun }),
    });
  const rotate = (key: string) =>
    operate({
      title: `Rotate ${key} in ${environment}`,
      confirmLabel: 'Rotate and restart',
      run: dryRun =>
        api.rotateSecrets(entityRef, environment!, { keys: [key], dryRun }),
    });
  const rollback = () =>
    operate({
      title: `Roll back the secrets of ${environment}`,
      confirmLabel: 'Roll back and restart',
      run: dryRun => api.rollbackSecrets(entityRef, environment!, { dryRun }),
    });
  const set = (key: string, value: string) => {
    setSetting(false);
    operate({
      title: `Set ${key} in ${environment}`,
      confirmLabel: 'Set and restart',
      run: dryRun =>
        api.changeSecrets(entityRef, environment!, {
          set: { [key]: value },
          dryRun,
        }),
    });
  };

  let body;
  const error = environments.error ?? secrets.error;
  if (error && !secrets.value) {
    body = (
      <ResponseErrorPanel error={error} title="Could not load the secrets" />
    );
  } else if (!environments.value || (environment && !secrets.value)) {
    body = <Progress />;
  } else if (!environment) {
    body = (
      <Typography>
        No environments are configured: the portal's paved.environments lists
        none.
      </Typography>
    );
  } else if (!secrets.value?.items.length) {
    body = (
      <Typography color="textSecondary">
        No secrets in {environment} yet.
      </Typography>
    );
  } else {
    body = (
      <Table size="small" aria-label={`Secrets in ${environment}`}>
        <TableHead>
          <TableRow>
            <TableCell>Key</TableCell>
            <TableCell>From</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Changed</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {secrets.value.items.map(item => (
            <KeyRow
              key={`${item.source}-${item.key}`}
              item={item}
              canWrite={canWrite}
              canRotate={canRotate}
              onUnset={() => unset(item.key)}
              onRotate={() => rotate(item.key)}
            />
          ))}
        </TableBody>
      </Table>
    );
  }

  return (
    <InfoCard
      title="Secrets"
      subheader="Names and versions per environment; values stay in Vault"
      titleTypographyProps={{ component: 'h2' } as object}
      action={
        environments.value?.length ? (
          <Box mt={1} mr={1}>
            <TextField
              select
              size="small"
              label="Environment"
              value={environment ?? ''}
              onChange={e => setChosen(e.target.value)}
            >
              {environments.value.map(e => (
                <MenuItem key={e.environment} value={e.environment}>
                  {e.environment}
                </MenuItem>
              ))}
            </TextField>
          </Box>
        ) : undefined
      }
    >
      {body}
      {environment && secrets.value && canWrite && (
        <Box mt={2} display="flex" style={{ gap: 8 }}>
          <Button variant="outlined" onClick={() => setSetting(true)}>
            Set a secret
          </Button>
          {Boolean(secrets.value.version) && (
            <Button variant="outlined" onClick={rollback}>
              Roll back to version {secrets.value.version! - 1}
            </Button>
          )}
        </Box>
      )}
      {setting && environment && (
        <SetKeyDialog
          environment={environment}
          onClose={() => setSetting(false)}
          onNext={set}
        />
      )}
      {operation && (
        <SecretOperationDialog
          operation={operation}
          entityRef={entityRef}
          onClose={() => {
            setOperation(undefined);
            secrets.retry();
          }}
          onChange={secrets.retry}
        />
      )}
    </InfoCard>
  );
}

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
  SecretKey,
  secretRotatePermission,
  secretWritePermission,
} from '@paved/plugin-deployments-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  SecretOperation,
  SecretOperationDialog,
  SetKeyDialog,
} from './SecretDialogs';
import { absoluteTime, relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

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

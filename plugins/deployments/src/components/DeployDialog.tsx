import { parseEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { Deployment } from '@paved/plugin-deployments-common';
import { useState } from 'react';
import {
  ActionErrorPanel,
  ActionOutcomeView,
  ConfirmButtons,
  DialogShell,
  useConfirmedAction,
} from './ActionDialog';
import { DeployForm, describeBuild, useDeployForm } from './DeployForm';
import { useDeploymentsApi } from './hooks';

export interface DeployDialogProps {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  /** Link to the Environments tab, shown with the result. */
  environmentsHref?: string;
  /** Called once the deploy was accepted, and again when its rollout finished. */
  onChange?: (deployment: Deployment) => void;
}

const FORM_ID = 'deploy-form';

/**
 * Deploy an image to an environment that needs no approval: the form, a
 * confirmation naming what runs there now, then the rollout until it ends.
 * The confirmation and the rollout are those of every action dialog
 * ({@link ActionDialog}); the form comes before them.
 */
export function DeployDialog(props: DeployDialogProps) {
  const { open, onClose, entityRef, environmentsHref, onChange } = props;
  const api = useDeploymentsApi();
  const entityName = parseEntityRef(entityRef).name;
  const [confirming, setConfirming] = useState(false);
  const form = useDeployForm(entityRef, open);
  const { selected, imageToDeploy, chosenBuild, current, replicas } = form;
  const deploy = useConfirmedAction(
    async () => ({
      deployment: await api.deploy({
        entityRef,
        environment: selected,
        image: imageToDeploy,
        replicas,
      }),
    }),
    ({ deployment }) => deployment && onChange?.(deployment),
  );

  const close = () => {
    onClose();
    setConfirming(false);
    form.reset();
    deploy.reset();
  };

  let content;
  let actions;
  if (deploy.outcome) {
    content = (
      <ActionOutcomeView
        outcome={deploy.outcome}
        entityRef={entityRef}
        environmentsHref={environmentsHref}
        onFinished={onChange}
      />
    );
    actions = <Button onClick={close}>Close</Button>;
  } else if (form.environments.loading || form.builds.loading) {
    content = <Progress />;
    actions = <Button onClick={close}>Cancel</Button>;
  } else if (form.environments.error) {
    content = (
      <ResponseErrorPanel
        error={form.environments.error}
        title="Could not load the environments"
      />
    );
    actions = <Button onClick={close}>Close</Button>;
  } else if (!confirming) {
    content = (
      <DeployForm
        id={FORM_ID}
        form={form}
        entityName={entityName}
        onSubmit={() => {
          deploy.reset();
          setConfirming(true);
        }}
      />
    );
    actions = (
      <>
        <Button onClick={close}>Cancel</Button>
        <Button
          type="submit"
          form={FORM_ID}
          color="primary"
          variant="contained"
          disabled={!form.valid}
        >
          Next
        </Button>
      </>
    );
  } else {
    content = (
      <>
        <Typography variant="h6" component="p" gutterBottom>
          Deploy {imageToDeploy} to {selected}?
        </Typography>
        {chosenBuild && (
          <Typography>Built from {describeBuild(chosenBuild)}</Typography>
        )}
        <Typography>
          Currently running: {current?.image ?? 'nothing yet'}
        </Typography>
        {replicas !== undefined && (
          <Typography>Replicas: {replicas}</Typography>
        )}
        <ActionErrorPanel error={deploy.error} />
      </>
    );
    actions = (
      <ConfirmButtons
        cancelLabel="Back"
        onCancel={() => setConfirming(false)}
        confirmLabel={`Deploy to ${selected}`}
        onConfirm={deploy.run}
        submitting={deploy.submitting}
      />
    );
  }

  return (
    <DialogShell
      open={open}
      onClose={close}
      title={`Deploy ${entityName}`}
      actions={actions}
    >
      {content}
    </DialogShell>
  );
}

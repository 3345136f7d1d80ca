import { parseEntityRef } from '@backstage/catalog-model';
import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  Build,
  Deployment,
  validateImageReference,
} from '@paved/plugin-deployments-common';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { firstLine, shortSha } from './buildHelpers';
import { describeError, relativeTime, useDeploymentsApi } from './helpers';
import { RolloutProgress } from './RolloutProgress';

export interface DeployDialogProps {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  /** Link to the Environments tab, shown with the result. */
  environmentsHref?: string;
  /** Called once the deploy was accepted, and again when its rollout finished. */
  onChange?: (deployment: Deployment) => void;
}

type Step = 'form' | 'confirm' | 'rollout';

/** The choice of the image field that means "type a reference". */
const OTHER_IMAGE = 'other';

/** `3f2c1e0 Add the orders endpoint · 5 minutes ago` */
const describeBuild = (build: Build) =>
  `${shortSha(build.commitSha)} ${firstLine(
    build.commitMessage,
  )} · ${relativeTime(build.finishedAt ?? build.startedAt)}`;

/** Succeeded builds with an image, newest first, each image once. */
function builtImages(builds: Build[] | undefined): Build[] {
  const seen = new Set<string>();
  return (builds ?? []).filter(build => {
    if (build.status !== 'succeeded' || !build.image || seen.has(build.image)) {
      return false;
    }
    seen.add(build.image);
    return true;
  });
}

/** `undefined` when empty; a number 0..100, or an error text. */
function parseReplicas(text: string): number | string | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    return 'Replicas must be a whole number from 0 to 100';
  }
  return value;
}

/**
 * Deploy an image to an environment that needs no approval: the form, a
 * confirmation naming what runs there now, then the rollout until it ends.
 */
export function DeployDialog(props: DeployDialogProps) {
  const { open, onClose, entityRef, environmentsHref, onChange } = props;
  const api = useDeploymentsApi();
  const entityName = parseEntityRef(entityRef).name;
  const [step, setStep] = useState<Step>('form');
  const [environment, setEnvironment] = useState('');
  const [source, setSource] = useState('');
  const [image, setImage] = useState('');
  const [imageTouched, setImageTouched] = useState(false);
  const [replicasText, setReplicasText] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();
  const [deployment, setDeployment] = useState<Deployment>();

  const environments = useAsync(
    async () => (open ? api.listEnvironments(entityRef) : undefined),
    [api, entityRef, open],
  );
  // The entity's built images come first; a failure to list them leaves the
  // free-form reference, with a note.
  const builds = useAsync(
    async () =>
      open
        ? api.listBuilds(entityRef, { status: 'succeeded', limit: 20 })
        : undefined,
    [api, entityRef, open],
  );
  const built = builtImages(builds.value?.items);
  const chosenSource = source || built[0]?.id || OTHER_IMAGE;
  const chosenBuild = built.find(b => b.id === chosenSource);
  const imageToDeploy = chosenBuild?.image ?? image;

  const deployable = (environments.value ?? []).filter(
    e => !e.requiresApproval,
  );
  const byPromotion = (environments.value ?? [])
    .filter(e => e.requiresApproval)
    .map(e => e.environment);
  const promotionNote =
    byPromotion.length > 0
      ? `${byPromotion.join(', ')} ${
          byPromotion.length === 1 ? 'is' : 'are'
        } reached by promotion (with approval), not by a direct deploy.`
      : undefined;
  const selected = environment || deployable[0]?.environment || '';
  const current = environments.value?.find(e => e.environment === selected);

  const validation = validateImageReference(imageToDeploy);
  const imageError =
    !chosenBuild && (imageTouched || image !== '') && !validation.valid
      ? validation.error
      : undefined;
  const replicas = parseReplicas(replicasText);
  const replicasError = typeof replicas === 'string' ? replicas : undefined;
  const formValid =
    Boolean(selected) && validation.valid && replicasError === undefined;

  const reset = () => {
    setStep('form');
    setEnvironment('');
    setSource('');
    setImage('');
    setImageTouched(false);
    setReplicasText('');
    setSubmitting(false);
    setSubmitError(undefined);
    setDeployment(undefined);
  };
  const close = () => {
    onClose();
    reset();
  };

  const next = (event: FormEvent) => {
    event.preventDefault();
    setImageTouched(true);
    if (formValid) {
      setSubmitError(undefined);
      setStep('confirm');
    }
  };

  const deploy = async () => {
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const started = await api.deploy({
        entityRef,
        environment: selected,
        image: imageToDeploy,
        replicas: typeof replicas === 'number' ? replicas : undefined,
      });
      setDeployment(started);
      setStep('rollout');
      onChange?.(started);
    } catch (e) {
      setSubmitError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  const error = submitError && describeError(submitError);
  let content;
  let actions;
  if (environments.loading || builds.loading) {
    content = <Progress />;
    actions = <Button onClick={close}>Cancel</Button>;
  } else if (environments.error) {
    content = (
      <ResponseErrorPanel
        error={environments.error}
        title="Could not load the environments"
      />
    );
    actions = <Button onClick={close}>Close</Button>;
  } else if (step === 'form') {
    content = (
      <form id="deploy-form" onSubmit={next} noValidate>
        {deployable.length === 0 ? (
          <Typography>
            No environment can be deployed to directly; promote instead.
          </Typography>
        ) : (
          <TextField
            select
            fullWidth
            margin="normal"
            id="deploy-environment"
            label="Environment"
            value={selected}
            onChange={e => setEnvironment(e.target.value)}
            SelectProps={{ native: true }}
            helperText={promotionNote}
          >
            {deployable.map(e => (
              <option key={e.environment} value={e.environment}>
                {e.environment}
              </option>
            ))}
          </TextField>
        )}
        {built.length > 0 && (
          <TextField
            select
            fullWidth
            margin="normal"
            id="deploy-build"
            label="Built image"
            value={chosenSource}
            onChange={e => setSource(e.target.value)}
            SelectProps={{ native: true }}
            helperText={chosenBuild?.image ?? 'Enter an image reference below.'}
          >
            {built.map(b => (
              <option key={b.id} value={b.id}>
                {describeBuild(b)}
              </option>
            ))}
            <option value={OTHER_IMAGE}>
              Another image (enter a reference)
            </option>
          </TextField>
        )}
        {builds.error && (
          <Typography variant="body2" color="textSecondary">
            The built images could not be listed ({builds.error.message}); enter
            a reference.
          </Typography>
        )}
        {!chosenBuild && (
          <TextField
            fullWidth
            required
            margin="normal"
            id="deploy-image"
            label="Image"
            placeholder={
              current?.image ?? `registry.paved.local/${entityName}:1.0.0`
            }
            value={image}
            onChange={e => setImage(e.target.value)}
            onBlur={() => setImageTouched(true)}
            error={Boolean(imageError)}
            helperText={
              imageError ??
              'registry/path:tag or registry/path@sha256:<digest>, e.g. registry.paved.local/orders-api:1.4.2'
            }
            inputProps={{ spellCheck: false, autoComplete: 'off' }}
          />
        )}
        <TextField
          fullWidth
          margin="normal"
          id="deploy-replicas"
          label="Replicas (optional)"
          type="number"
          value={replicasText}
          onChange={e => setReplicasText(e.target.value)}
          error={Boolean(replicasError)}
          helperText={replicasError ?? 'Leave empty to keep the current count.'}
          inputProps={{ min: 0, max: 100 }}
        />
      </form>
    );
    actions = (
      <>
        <Button onClick={close}>Cancel</Button>
        <Button
          type="submit"
          form="deploy-form"
          color="primary"
          variant="contained"
          disabled={!formValid}
        >
          Next
        </Button>
      </>
    );
  } else if (step === 'confirm') {
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
        {typeof replicas === 'number' && (
          <Typography>Replicas: {replicas}</Typography>
        )}
        {error && (
          <Box mt={2}>
            <WarningPanel
              severity="error"
              title={error.title}
              message={error.message}
              defaultExpanded
            />
          </Box>
        )}
      </>
    );
    actions = (
      <>
        <Button onClick={() => setStep('form')} disabled={submitting}>
          Back
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={deploy}
          disabled={submitting}
        >
          Deploy to {selected}
        </Button>
      </>
    );
  } else {
    content = deployment && (
      <RolloutProgress
        entityRef={entityRef}
        deployment={deployment}
        environmentsHref={environmentsHref}
        onFinished={onChange}
      />
    );
    actions = <Button onClick={close}>Close</Button>;
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      fullWidth
      maxWidth="sm"
      aria-labelledby="deploy-dialog-title"
    >
      <DialogTitle id="deploy-dialog-title">Deploy {entityName}</DialogTitle>
      <DialogContent>{content}</DialogContent>
      <DialogActions>{actions}</DialogActions>
    </Dialog>
  );
}

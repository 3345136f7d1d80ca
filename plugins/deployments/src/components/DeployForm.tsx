import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  Build,
  validateImageReference,
} from '@paved/plugin-deployments-common';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { firstLine, shortSha } from './buildHelpers';
import { relativeTime } from './format';
import { useDeploymentsApi } from './hooks';

/** The choice of the image field that means "type a reference". */
const OTHER_IMAGE = 'other';

/** `3f2c1e0 Add the orders endpoint · 5 minutes ago` */
export const describeBuild = (build: Build) =>
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
 * What the Deploy form asks and what it makes of the answers: the
 * environments that take a direct deploy, the entity's built images (newest
 * first) or a free-form reference validated as it is typed, and replicas.
 * Loads while `open`.
 */
export function useDeployForm(entityRef: string, open: boolean) {
  const api = useDeploymentsApi();
  const [environment, setEnvironment] = useState('');
  const [source, setSource] = useState('');
  const [image, setImage] = useState('');
  const [imageTouched, setImageTouched] = useState(false);
  const [replicasText, setReplicasText] = useState('');

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

  return {
    environments,
    builds,
    built,
    chosenSource,
    chosenBuild,
    image,
    imageToDeploy,
    imageError,
    deployable,
    promotionNote,
    selected,
    current,
    replicasText,
    replicas: typeof replicas === 'number' ? replicas : undefined,
    replicasError,
    valid: Boolean(selected) && validation.valid && !replicasError,
    setEnvironment,
    setSource,
    setImage,
    touchImage: () => setImageTouched(true),
    setReplicasText,
    reset: () => {
      setEnvironment('');
      setSource('');
      setImage('');
      setImageTouched(false);
      setReplicasText('');
    },
  };
}

export type DeployFormState = ReturnType<typeof useDeployForm>;

/** The fields of the Deploy dialog's first step; submitting goes on to the confirmation. */
export function DeployForm(props: {
  id: string;
  form: DeployFormState;
  entityName: string;
  onSubmit: () => void;
}) {
  const { id, form, entityName, onSubmit } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    form.touchImage();
    if (form.valid) onSubmit();
  };
  return (
    <form id={id} onSubmit={submit} noValidate>
      {form.deployable.length === 0 ? (
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
          value={form.selected}
          onChange={e => form.setEnvironment(e.target.value)}
          SelectProps={{ native: true }}
          helperText={form.promotionNote}
        >
          {form.deployable.map(e => (
            <option key={e.environment} value={e.environment}>
              {e.environment}
            </option>
          ))}
        </TextField>
      )}
      {form.built.length > 0 && (
        <TextField
          select
          fullWidth
          margin="normal"
          id="deploy-build"
          label="Built image"
          value={form.chosenSource}
          onChange={e => form.setSource(e.target.value)}
          SelectProps={{ native: true }}
          helperText={
            form.chosenBuild?.image ?? 'Enter an image reference below.'
          }
        >
          {form.built.map(b => (
            <option key={b.id} value={b.id}>
              {describeBuild(b)}
            </option>
          ))}
          <option value={OTHER_IMAGE}>Another image (enter a reference)</option>
        </TextField>
      )}
      {form.builds.error && (
        <Typography variant="body2" color="textSecondary">
          The built images could not be listed ({form.builds.error.message});
          enter a reference.
        </Typography>
      )}
      {!form.chosenBuild && (
        <TextField
          fullWidth
          required
          margin="normal"
          id="deploy-image"
          label="Image"
          placeholder={
            form.current?.image ?? `registry.paved.local/${entityName}:1.0.0`
          }
          value={form.image}
          onChange={e => form.setImage(e.target.value)}
          onBlur={form.touchImage}
          error={Boolean(form.imageError)}
          helperText={
            form.imageError ??
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
        value={form.replicasText}
        onChange={e => form.setReplicasText(e.target.value)}
        error={Boolean(form.replicasError)}
        helperText={
          form.replicasError ?? 'Leave empty to keep the current count.'
        }
        inputProps={{ min: 0, max: 100 }}
      />
    </form>
  );
}

import { InputError, NotFoundError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import {
  AppliedObject,
  KubernetesClient,
  KubernetesClusters,
  secretFromVault,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { examples } from './kubernetesApply.examples';

export const KUBERNETES_APPLY_ACTION_ID = 'paved:kubernetes:apply';

/** Every object in a manifest file or a directory of them (.yaml/.yml, multi-document). */
async function readManifests(location: string): Promise<KubernetesObject[]> {
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new InputError(`manifests: ${location} does not exist`);
  const files = info.isDirectory()
    ? (await readdir(location))
        .filter(name => /\.ya?ml$/.test(name))
        .sort()
        .map(name => path.join(location, name))
    : [location];
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const document of yaml.parseAllDocuments(
      await readFile(file, 'utf8'),
    )) {
      if (document.errors.length) {
        throw new InputError(
          `manifests: ${path.basename(file)} is not valid YAML: ${
            document.errors[0].message
          }`,
        );
      }
      const object = document.toJS();
      if (object) objects.push(object);
    }
  }
  if (!objects.length)
    throw new InputError(`manifests: no Kubernetes objects in ${location}`);
  return objects;
}

/**
 * The apiserver's dry run of the objects. Objects bound for a namespace that
 * doesn't exist yet can't be dry-run there, so the apiserver validates them
 * in `default` instead and they are reported as created.
 */
async function dryRun(
  kubernetes: KubernetesClient,
  objects: KubernetesObject[],
  namespace: string,
  log: (message: string) => void,
): Promise<AppliedObject[]> {
  const [namespaceObject, ...rest] = objects;
  const [namespaceResult] = await kubernetes.apply([namespaceObject], {
    dryRun: true,
  });
  if (namespaceResult.outcome !== 'created') {
    return [
      namespaceResult,
      ...(await kubernetes.apply(rest, { namespace, dryRun: true })),
    ];
  }
  log(
    `Dry run: namespace ${namespace} does not exist yet; the apiserver validates its objects in namespace default`,
  );
  const validated = await kubernetes.apply(rest, {
    namespace: 'default',
    dryRun: true,
  });
  return [
    namespaceResult,
    ...validated.map(o => ({ ...o, namespace, outcome: 'created' as const })),
  ];
}

const describeObject = (o: AppliedObject) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/**
 * Applies a service's manifests (from its repo) into a namespace with
 * server-side apply: the namespace itself, the manifests, and a Secret filled
 * from Vault; then waits for each Deployment's rollout. A dry run is the
 * apiserver's own dry run, shown as a diff.
 */
/** A Deployment with its first container's image set; other objects as they are. */
function withImage(object: KubernetesObject, image: string): KubernetesObject {
  const containers = (object as any).spec?.template?.spec?.containers;
  if (object.kind !== 'Deployment' || !Array.isArray(containers)) {
    return object;
  }
  const copy = structuredClone(object) as any;
  copy.spec.template.spec.containers[0].image = image;
  return copy;
}

export function createKubernetesApplyAction(options: {
  /** Each environment's cluster: the manifests go to the one of `environment`. */
  clusters: Pick<KubernetesClusters, 'environments' | 'forEnvironment'>;
  vault: VaultClient;
}) {
  const { clusters, vault } = options;
  const action = createTemplateAction({
    id: KUBERNETES_APPLY_ACTION_ID,
    description:
      "Server-side applies the workspace's Kubernetes manifests into a namespace, with a Secret filled from Vault, and waits for Deployments to roll out.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        namespace: z =>
          z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
              message:
                'namespace must be a DNS label: lowercase letters, digits and "-", at most 63 characters',
            })
            .describe('Target namespace; created if missing'),
        environment: z =>
          z
            .string()
            .optional()
            .describe(
              "The environment the namespace belongs to: the objects go to its cluster (default: the first environment's)",
            ),
        manifests: z =>
          z
            .string()
            .default('deploy/kubernetes')
            .describe(
              'A manifest file or directory in the workspace, or "none" to apply only the namespace and the Secret',
            ),
        secretFromVault: z =>
          z
            .object({
              name: z.string().describe('Name of the Kubernetes Secret'),
              mount: z.string().default('secret').describe('KV v2 mount'),
              path: z
                .string()
                .describe(
                  'KV v2 path whose secrets fill it, e.g. services/orders-api',
                ),
            })
            .optional()
            .describe('Fill a Secret from every secret below a Vault path'),
        image: z =>
          z
            .string()
            .optional()
            .describe(
              "The image of every Deployment's first container, in place of the manifest's (e.g. the one built from the commit just pushed)",
            ),
        waitForRollout: z =>
          z
            .boolean()
            .default(true)
            .describe('Wait until every Deployment has rolled out'),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(10)
            .max(1800)
            .default(300)
            .describe('Seconds to wait for a rollout'),
      },
      output: {
        namespace: z => z.string(),
        objects: z =>
          z
            .array(
              z.object({
                kind: z.string(),
                name: z.string(),
                outcome: z.enum(['created', 'configured', 'unchanged']),
              }),
            )
            .describe('What was applied, in order'),
      },
    },
    async handler(ctx) {
      const {
        namespace,
        waitForRollout,
        timeoutSeconds,
        secretFromVault: vaultSource,
        manifests: manifestsPath,
      } = ctx.input;
      const environments = clusters.environments();
      const environment = ctx.input.environment ?? environments[0].name;
      if (!environments.some(e => e.name === environment)) {
        throw new InputError(
          `environment: no environment ${environment}; paved.environments has ${environments
            .map(e => e.name)
            .join(', ')}`,
        );
      }
      const kubernetes: KubernetesClient = clusters.forEnvironment(environment);
      const manifests =
        manifestsPath === 'none'
          ? []
          : await readManifests(
              resolveSafeChildPath(ctx.workspacePath, manifestsPath),
            );
      const objects: KubernetesObject[] = [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      ];
      if (vaultSource) {
        try {
          const { secret, keys } = await secretFromVault(vault, vaultSource);
          ctx.logger.info(
            `Secret ${vaultSource.name} from Vault ${vaultSource.mount}/${
              vaultSource.path
            }: keys ${keys.join(', ')} (values are not shown)`,
          );
          objects.push(secret);
        } catch (error) {
          // In a dry run the earlier steps wrote nothing to Vault yet.
          if (!(ctx.isDryRun && error instanceof NotFoundError)) throw error;
          ctx.logger.info(
            `Dry run: Secret ${vaultSource.name} would be filled from Vault ${vaultSource.mount}/${vaultSource.path}, which has no secrets yet`,
          );
        }
      }
      objects.push(
        ...(ctx.input.image
          ? manifests.map(m => withImage(m, ctx.input.image!))
          : manifests),
      );

      let applied: AppliedObject[];
      try {
        applied = ctx.isDryRun
          ? await dryRun(kubernetes, objects, namespace, message =>
              ctx.logger.info(message),
            )
          : await kubernetes.apply(objects, { namespace });
      } catch (error) {
        ctx.logger.error(
          `Nothing more was applied to ${namespace} after this error. Every step of this template is safe to re-run: run it again with the same inputs to finish.`,
        );
        throw error;
      }
      for (const object of applied) {
        ctx.logger.info(`${describeObject(object)} ${object.outcome}`);
        object.diff.forEach(line => ctx.logger.info(`    ${line}`));
      }
      ctx.output('namespace', namespace);
      ctx.output(
        'objects',
        applied.map(({ kind, name, outcome }) => ({ kind, name, outcome })),
      );

      if (ctx.isDryRun || !waitForRollout) return;
      for (const deployment of applied.filter(o => o.kind === 'Deployment')) {
        ctx.logger.info(
          `Waiting for Deployment ${namespace}/${deployment.name} to roll out`,
        );
        const status = await kubernetes.waitForRollout(
          namespace,
          deployment.name,
          {
            timeoutMs: timeoutSeconds * 1000,
            signal: ctx.signal,
            onProgress: progress =>
              ctx.logger.info(
                `Deployment ${namespace}/${deployment.name}: ${progress.message}`,
              ),
          },
        );
        ctx.logger.info(
          `Deployment ${namespace}/${deployment.name} runs ${status.image}`,
        );
      }
    },
  });
  return withInputDefaults(action);
}

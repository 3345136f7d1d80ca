import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DeploymentService } from './services/DeploymentService';
import { SecretsService } from './services/SecretsService';

const serviceRef = (service: string) =>
  service.includes(':') ? service : `component:default/${service}`;

/**
 * The deployments API's operations as Backstage actions (`actionsRegistry`), so that
 * `backstage-cli actions execute` and AI assistants through the MCP actions backend reach
 * them: the same services, the same permission checks and approver rule as the HTTP API
 * the portal and `paved` use (the caller's credentials go through unchanged). Answers are
 * the API's own records (openapi.yaml).
 */
export function registerDeploymentActions(
  actions: ActionsRegistryService,
  options: { deployments: DeploymentService; secrets: SecretsService },
) {
  const { deployments, secrets } = options;
  const callerOf = (credentials: any) => ({
    credentials,
    userEntityRef:
      credentials.principal?.type === 'user'
        ? (credentials.principal.userEntityRef as string)
        : undefined,
  });

  actions.register({
    name: 'status',
    title: 'Service status',
    description:
      'Per environment: the image, replicas, rollout state, health, URL and last deployment of a golden-path service (paved status).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          service: z
            .string()
            .describe(
              'The service, e.g. orders-api or component:default/orders-api',
            ),
        }),
      output: z => z.object({ environments: z.array(z.any()) }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        environments: await deployments.listEnvironments(
          serviceRef(input.service),
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'deploy',
    title: 'Deploy an image',
    description:
      'Deploys an image of a golden-path service to an environment without requiresApproval (paved deploy); the rollout is watched in the background: read it with status.',
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          environment: z.string().default('staging'),
          image: z.string().describe('An image reference in the registry'),
        }),
      output: z => z.object({ deployment: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        deployment: await deployments.deploy(
          {
            entityRef: serviceRef(input.service),
            environment: input.environment,
            image: input.image,
          },
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'promote',
    title: 'Promote to the next environment',
    description:
      'Promotes what runs in one environment to another; where the target requires approval, creates an approval request instead (paved deploy promote).',
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          from: z.string().default('staging'),
          to: z.string().default('production'),
        }),
      output: z => z.object({ result: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        result: await deployments.promote(
          {
            entityRef: serviceRef(input.service),
            from: input.from,
            to: input.to,
          },
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'rollback',
    title: 'Roll back to an earlier deployment',
    description:
      "Deploys an earlier deployment's image again (paved deploy rollback --to).",
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          environment: z.string().default('staging'),
          toDeploymentId: z.string(),
        }),
      output: z => z.object({ deployment: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        deployment: await deployments.rollback(
          {
            entityRef: serviceRef(input.service),
            environment: input.environment,
            toDeploymentId: input.toDeploymentId,
          },
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'secrets-list',
    title: "List a service's secrets",
    description:
      'The keys a service gets in an environment, with versions and who changed them; never values (paved secrets list).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          environment: z.string().default('staging'),
        }),
      output: z => z.object({ secrets: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        secrets: await secrets.list(
          serviceRef(input.service),
          input.environment,
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'secrets-set',
    title: "Set a service's secrets",
    description:
      'Sets keys of an environment (a new Vault version) and restarts the service (paved secrets set). Answers key names only.',
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          environment: z.string().default('staging'),
          set: z.record(z.string()),
          dryRun: z.boolean().default(false),
        }),
      output: z => z.object({ result: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        result: await secrets.change(
          serviceRef(input.service),
          input.environment,
          { set: input.set, dryRun: input.dryRun },
          callerOf(credentials),
        ),
      },
    }),
  });

  actions.register({
    name: 'secrets-rotate',
    title: "Rotate a service's generated secrets",
    description:
      'New values for the generated keys (all, or those named) and a restart (paved secrets rotate).',
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          service: z.string(),
          environment: z.string().default('staging'),
          keys: z.array(z.string()).optional(),
          dryRun: z.boolean().default(false),
        }),
      output: z => z.object({ result: z.any() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        result: await secrets.rotate(
          serviceRef(input.service),
          input.environment,
          { keys: input.keys, dryRun: input.dryRun },
          callerOf(credentials),
        ),
      },
    }),
  });
}

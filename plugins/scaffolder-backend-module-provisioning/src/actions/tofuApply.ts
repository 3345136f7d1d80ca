import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  KubernetesClusters,
  tofuEnvFor,
  TofuOutput,
  TofuPlan,
  TofuRunner,
} from '@paved/plugin-provisioning-node';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { examples } from './tofuApply.examples';

export const TOFU_APPLY_ACTION_ID = 'paved:tofu:apply';

const MODULE_NAME = /^[a-z][a-z0-9-]*$/;

/** One line per planned change, e.g. "+ create kubernetes_namespace.this". */
export function describePlan(plan: TofuPlan): string[] {
  const symbols = {
    create: '+',
    update: '~',
    delete: '-',
    replace: '-/+',
    read: '<=',
  };
  return [
    `Plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy`,
    ...plan.changes.map(c => `  ${symbols[c.action]} ${c.action} ${c.address}`),
  ];
}

/** One run of the module: a workspace on one cluster, with its variables. */
interface ClusterRun {
  cluster: string;
  workspace: string;
  variables: Record<string, unknown>;
}

/**
 * Which cluster(s) a module runs against. The Kubernetes provider targets the
 * cluster of `environment` (default: the first environment's). A `namespaces`
 * variable keyed by environment names whose environments are on more than one
 * cluster is split: one run per cluster with that cluster's namespaces, in
 * `workspace` for the first environment's cluster (so a service's state stays
 * where it was while all environments shared one) and `<workspace>-<cluster>`
 * for each other cluster.
 */
export function clusterRuns(
  clusters: Pick<KubernetesClusters, 'environments'>,
  input: {
    workspace: string;
    environment?: string;
    variables: Record<string, unknown>;
  },
): ClusterRun[] {
  const environments = clusters.environments();
  const clusterOf = (name: string) =>
    environments.find(e => e.name === name)?.cluster;
  if (input.environment !== undefined) {
    const cluster = clusterOf(input.environment);
    if (!cluster) {
      throw new InputError(
        `environment: no environment ${
          input.environment
        }; paved.environments has ${environments.map(e => e.name).join(', ')}`,
      );
    }
    return [
      { cluster, workspace: input.workspace, variables: input.variables },
    ];
  }
  const first = environments[0].cluster;
  const namespaces = input.variables.namespaces;
  const keyedByEnvironment =
    namespaces !== null &&
    typeof namespaces === 'object' &&
    !Array.isArray(namespaces) &&
    Object.keys(namespaces).every(env => clusterOf(env) !== undefined);
  if (!keyedByEnvironment) {
    return [
      {
        cluster: first,
        workspace: input.workspace,
        variables: input.variables,
      },
    ];
  }
  const byCluster = new Map<string, Record<string, unknown>>();
  for (const [env, namespace] of Object.entries(
    namespaces as Record<string, unknown>,
  )) {
    const cluster = clusterOf(env)!;
    byCluster.set(cluster, { ...byCluster.get(cluster), [env]: namespace });
  }
  if (byCluster.size <= 1) {
    const [cluster = first] = byCluster.keys();
    return [
      { cluster, workspace: input.workspace, variables: input.variables },
    ];
  }
  return [...byCluster].map(([cluster, own]) => ({
    cluster,
    workspace:
      cluster === first ? input.workspace : `${input.workspace}-${cluster}`,
    variables: { ...input.variables, namespaces: own },
  }));
}

/** The outputs of several runs as one: maps (e.g. namespaces per environment) merged, else the first run's value. */
function mergeOutputs(
  all: Array<Record<string, TofuOutput>>,
): Record<string, TofuOutput> {
  const merged: Record<string, TofuOutput> = {};
  for (const outputs of all) {
    for (const [name, output] of Object.entries(outputs)) {
      const before = merged[name];
      const isMap = (v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v);
      if (!before) merged[name] = output;
      else if (isMap(before.value) && isMap(output.value)) {
        merged[name] = {
          value: { ...(before.value as object), ...(output.value as object) },
          sensitive: before.sensitive || output.sensitive,
        };
      }
    }
  }
  return merged;
}

const sumPlans = (plans: TofuPlan[]): TofuPlan => ({
  add: plans.reduce((n, p) => n + p.add, 0),
  change: plans.reduce((n, p) => n + p.change, 0),
  destroy: plans.reduce((n, p) => n + p.destroy, 0),
  changes: plans.flatMap(p => p.changes),
});

/**
 * Runs one of the platform team's OpenTofu modules (a directory under
 * `paved.provisioning.modulesDirectory`) in a service's workspace: prints the
 * plan, applies it, and returns the module's outputs. Sensitive outputs are
 * named but their values never leave the runner.
 */
export function createTofuApplyAction(options: {
  runner: TofuRunner;
  /** The environments' clusters: the module's Kubernetes provider targets them. */
  clusters: Pick<KubernetesClusters, 'environments' | 'details'>;
  modulesDirectory: string;
  /**
   * Variables the platform sets per module (e.g. the database host services
   * connect to); a template's variables override them.
   */
  moduleDefaults?: Record<string, Record<string, unknown>>;
}) {
  const { runner, modulesDirectory } = options;
  const availableModules = () =>
    existsSync(modulesDirectory)
      ? readdirSync(modulesDirectory, { withFileTypes: true })
          .filter(entry => entry.isDirectory())
          .map(entry => entry.name)
          .sort()
      : [];

  return createTemplateAction({
    id: TOFU_APPLY_ACTION_ID,
    description:
      "Plans and applies one of the platform's OpenTofu modules in a service's workspace (state in PostgreSQL). Dry run plans only.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        module: z =>
          z
            .string()
            .regex(MODULE_NAME, {
              message:
                'module is the name of a directory under templates/modules, e.g. "service-namespace"',
            })
            .describe('Module name, e.g. "service-namespace"'),
        workspace: z =>
          z
            .string()
            .regex(/^[a-z][a-z0-9-]{1,62}$/, {
              message:
                'workspace must be lowercase letters, digits and "-", e.g. the service name',
            })
            .describe("The service's workspace (its name)"),
        environment: z =>
          z
            .string()
            .optional()
            .describe(
              "The environment whose cluster the module's Kubernetes provider targets (default: the first environment's; a namespaces variable keyed by environment runs once per cluster)",
            ),
        variables: z =>
          z
            .record(z.unknown())
            .optional()
            .describe("The module's input variables"),
      },
      output: {
        outputs: z =>
          z
            .record(z.unknown())
            .describe("The module's outputs, except sensitive ones"),
        sensitiveOutputs: z =>
          z
            .array(z.string())
            .describe(
              'Names of outputs that were withheld because they are sensitive',
            ),
        plan: z =>
          z
            .object({
              add: z.number(),
              change: z.number(),
              destroy: z.number(),
            })
            .describe(
              'How many resources the run added, changed and destroyed',
            ),
      },
    },
    async handler(ctx) {
      const { module, workspace } = ctx.input;
      const moduleDir = path.join(modulesDirectory, module);
      if (!existsSync(path.join(moduleDir, 'main.tf'))) {
        throw new InputError(
          `module: unknown module "${module}"; available: ${
            availableModules().join(', ') || 'none'
          }`,
        );
      }
      const runs = clusterRuns(options.clusters, {
        workspace,
        environment: ctx.input.environment,
        variables: {
          ...options.moduleDefaults?.[module],
          ...ctx.input.variables,
        },
      }).map(r => ({
        moduleDir,
        workspace: r.workspace,
        stateSchema: `tofu_${module.replace(/-/g, '_')}`,
        variables: r.variables,
        providerEnv: tofuEnvFor(options.clusters.details(r.cluster)),
        cluster: r.cluster,
        onLog: (line: string) => ctx.logger.info(line),
        signal: ctx.signal,
      }));

      if (ctx.isDryRun) {
        const plans: TofuPlan[] = [];
        for (const run of runs) {
          ctx.logger.info(
            `Dry run: planning module ${module} in workspace ${run.workspace} on cluster ${run.cluster}; nothing is applied`,
          );
          plans.push(await runner.plan(run));
        }
        const plan = sumPlans(plans);
        describePlan(plan).forEach(line => ctx.logger.info(line));
        ctx.output('outputs', {});
        ctx.output('sensitiveOutputs', []);
        ctx.output('plan', {
          add: plan.add,
          change: plan.change,
          destroy: plan.destroy,
        });
        return;
      }

      const results = [];
      for (const run of runs) {
        ctx.logger.info(
          `Applying module ${module} in workspace ${run.workspace} on cluster ${run.cluster}`,
        );
        const result = await runner.apply(run);
        describePlan(result.plan).forEach(line => ctx.logger.info(line));
        results.push(result);
      }
      const plan = sumPlans(results.map(r => r.plan));
      const outputs = mergeOutputs(results.map(r => r.outputs));
      const visible = Object.entries(outputs).filter(([, o]) => !o.sensitive);
      const sensitive = Object.entries(outputs)
        .filter(([, o]) => o.sensitive)
        .map(([name]) => name);
      ctx.logger.info(
        `Applied ${module}: ${plan.add} added, ${plan.change} changed, ${
          plan.destroy
        } destroyed. Outputs: ${
          visible.map(([name]) => name).join(', ') || 'none'
        }${
          sensitive.length
            ? `; withheld as sensitive: ${sensitive.join(', ')}`
            : ''
        }`,
      );
      ctx.output(
        'outputs',
        Object.fromEntries(visible.map(([name, o]) => [name, o.value])),
      );
      ctx.output('sensitiveOutputs', sensitive);
      ctx.output('plan', {
        add: plan.add,
        change: plan.change,
        destroy: plan.destroy,
      });
    },
  });
}

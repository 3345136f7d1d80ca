import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { TofuPlan, TofuRunner } from '@paved/plugin-provisioning-node';
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

/**
 * Runs one of the platform team's OpenTofu modules (a directory under
 * `paved.provisioning.modulesDirectory`) in a service's workspace: prints the
 * plan, applies it, and returns the module's outputs. Sensitive outputs are
 * named but their values never leave the runner.
 */
export function createTofuApplyAction(options: {
  runner: TofuRunner;
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
      const run = {
        moduleDir,
        workspace,
        stateSchema: `tofu_${module.replace(/-/g, '_')}`,
        variables: {
          ...options.moduleDefaults?.[module],
          ...ctx.input.variables,
        },
        onLog: (line: string) => ctx.logger.info(line),
        signal: ctx.signal,
      };

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: planning module ${module} in workspace ${workspace}; nothing is applied`,
        );
        const plan = await runner.plan(run);
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

      ctx.logger.info(`Applying module ${module} in workspace ${workspace}`);
      const { plan, outputs } = await runner.apply(run);
      describePlan(plan).forEach(line => ctx.logger.info(line));
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

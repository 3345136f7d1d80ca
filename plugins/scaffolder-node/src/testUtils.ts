import type {
  ActionContext,
  TemplateExample,
} from '@backstage/plugin-scaffolder-node';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { JsonObject, JsonValue } from '@backstage/types';
import yaml from 'yaml';

const EXPRESSION = /\$\{\{\s*(.+?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*(.+?)\s*\}\}$/;

/**
 * The input of every step in an action's examples, ready to run: each template expression
 * (`${{ parameters.name }}`, `${{ steps['build'].output.image }}`) replaced by what `values`
 * gives for it. A string that is one expression takes the value as it is (an object, say).
 * An expression without a value, or a step of another action, throws: an example that
 * changes is noticed by its test.
 */
export function exampleInputs(
  examples: TemplateExample[],
  actionId: string,
  values: Record<string, JsonValue>,
): Array<[description: string, input: JsonObject]> {
  return examples.flatMap(({ description, example }) => {
    const steps: Array<{ action: string; input?: JsonObject }> =
      yaml.parse(example).steps;
    return steps.map(step => {
      if (step.action !== actionId) {
        throw new Error(
          `example "${description}" runs ${step.action}, not ${actionId}`,
        );
      }
      const valueOf = (expression: string): JsonValue => {
        if (!(expression in values)) {
          throw new Error(
            `example "${description}": no value for \${{ ${expression} }}; give one in the test's values`,
          );
        }
        return values[expression];
      };
      const fill = (value: JsonValue | undefined): JsonValue | undefined => {
        if (typeof value === 'string') {
          const whole = WHOLE.exec(value);
          if (whole) return valueOf(whole[1]);
          return value.replace(EXPRESSION, (_, expression) =>
            String(valueOf(expression)),
          );
        }
        if (Array.isArray(value)) return value.map(v => fill(v) as JsonValue);
        if (value && typeof value === 'object') {
          return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, fill(v) as JsonValue]),
          );
        }
        return value;
      };
      const input = (fill(step.input ?? {}) ?? {}) as JsonObject;
      return [description, input] as [string, JsonObject];
    });
  });
}

/**
 * The context an action's handler gets, for the actions' rule tests (the fast tier,
 * docs/decisions/0010): the shape `createMockActionContext` of
 * `@backstage/plugin-scaffolder-node-test-utils` gives, without loading the whole test
 * backend into every test file. `output`, `createTemporaryDirectory` and the logger's methods
 * are jest mocks; the workspace is a fresh temporary directory unless one is given.
 */
export function mockActionContext<TInput extends JsonObject>(
  options: {
    input?: TInput;
    workspacePath?: string;
    logger?: ActionContext<TInput>['logger'];
    secrets?: ActionContext<TInput>['secrets'];
    user?: ActionContext<TInput>['user'];
    isDryRun?: boolean;
  } = {},
): ActionContext<TInput> & { output: jest.Mock } {
  const workspacePath =
    options.workspacePath ??
    mkdtempSync(path.join(os.tmpdir(), 'paved-action-workspace-'));
  const logger =
    options.logger ??
    (Object.fromEntries(
      ['error', 'warn', 'info', 'debug', 'child'].map(level => [
        level,
        jest.fn(),
      ]),
    ) as unknown as ActionContext<TInput>['logger']);
  const credentials = {
    $$type: '@backstage/BackstageCredentials' as const,
    principal: { type: 'user', userEntityRef: 'user:default/mock' },
  };
  return {
    input: (options.input ?? {}) as TInput,
    workspacePath,
    logger,
    logStream: new PassThrough(),
    output: jest.fn(),
    createTemporaryDirectory: jest.fn(async () => workspacePath),
    checkpoint: async ({ fn }: { fn: () => any }) => fn(),
    getInitiatorCredentials: async () => credentials,
    task: { id: 'mock-task-id' },
    step: { id: 'mock-step-id', name: 'mock step name' },
    secrets: options.secrets,
    user: options.user,
    isDryRun: options.isDryRun,
  } as unknown as ActionContext<TInput> & { output: jest.Mock };
}

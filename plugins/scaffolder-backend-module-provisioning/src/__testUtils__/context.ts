import { mockServices } from '@backstage/backend-test-utils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';

/**
 * A mock action context whose task log is kept in `log`, one string per
 * line, so tests can read what a person would see (and what must not be there).
 */
export function contextWithLog<TInput extends JsonObject>(
  input: TInput,
  options: { isDryRun?: boolean; workspacePath?: string } = {},
) {
  const log: string[] = [];
  const logger = mockServices.logger.mock();
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    (logger[level] as jest.Mock).mockImplementation((message: string) => {
      log.push(message);
    });
  }
  const base = createMockActionContext<TInput>({
    input,
    logger,
    ...(options.workspacePath ? { workspacePath: options.workspacePath } : {}),
  });
  // createMockActionContext does not carry isDryRun over.
  // Typed loosely so one helper serves every action's input and output types.
  const ctx: ActionContext<any, any, any> = {
    ...base,
    isDryRun: options.isDryRun ?? false,
  };
  return { ctx, log, output: base.output as jest.Mock };
}

/** The value an action gave for one of its outputs. */
export function outputOf(output: jest.Mock, name: string): unknown {
  return output.mock.calls.find(([key]) => key === name)?.[1];
}

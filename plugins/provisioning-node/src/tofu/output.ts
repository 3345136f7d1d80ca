// The parsing of OpenTofu's output: error blocks, the plan summary, the
// outputs, and the error a failed command becomes. Pure functions, tested
// without tofu (output.test.ts); TofuRunner runs the commands.
import { ConflictError, InputError } from '@backstage/errors';
import path from 'node:path';
import { TofuChangeAction, TofuOutput, TofuPlan } from './types';

const VARIABLE_ERRORS = [
  'Invalid value for input variable',
  'No value for required variable',
  'Invalid value for variable',
];
const LOCK_FAILURE =
  /Error acquiring the state lock|failed to lock state|already locked/i;
/** The `Error: ...` blocks of tofu's output (-no-color form). */
export function errorBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^(Error|Warning): /.test(line)) {
      if (current) blocks.push(current.join('\n').trim());
      current = line.startsWith('Error: ') ? [line] : undefined;
    } else if (current) {
      current.push(line);
    }
  }
  if (current) blocks.push(current.join('\n').trim());
  return blocks;
}

function variableNameOf(block: string): string | undefined {
  return (
    block.match(/variable "([^"]+)"/)?.[1] ??
    block.match(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/)?.[1]
  );
}

const SINGLE_ACTIONS: Record<string, TofuChangeAction> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  read: 'read',
};

/** The plan summary from `tofu show -json`: what tofu's own "Plan:" line counts. */
export function summarisePlan(json: any): TofuPlan {
  const plan: TofuPlan = { add: 0, change: 0, destroy: 0, changes: [] };
  for (const resource of json.resource_changes ?? []) {
    const actions: string[] = resource.change?.actions ?? [];
    const action: TofuChangeAction | undefined =
      actions.includes('create') && actions.includes('delete')
        ? 'replace'
        : SINGLE_ACTIONS[actions.join()];
    if (!action) continue; // no-op
    plan.changes.push({ address: resource.address, action });
    if (action === 'create' || action === 'replace') plan.add++;
    if (action === 'update') plan.change++;
    if (action === 'delete' || action === 'replace') plan.destroy++;
  }
  return plan;
}

export function outputsOf(
  json: Record<string, any>,
): Record<string, TofuOutput> {
  return Object.fromEntries(
    Object.entries(json).map(([name, output]) => [
      name,
      { value: output.value, sensitive: Boolean(output.sensitive) },
    ]),
  );
}

/**
 * The error for a failed tofu command, from its (already redacted) output:
 * a held state lock or a stale plan → ConflictError, invalid or missing
 * variables → InputError naming them, anything else → Error with tofu's
 * `Error:` blocks (or its last 20 lines).
 */
export function tofuFailure(failed: {
  output: string;
  args: string[];
  code: number | null;
  workspace: string;
  stateSchema: string;
  moduleDir: string;
  lockTimeoutSeconds: number;
}): Error {
  const text = failed.output;
  const blocks = errorBlocks(text);
  const command = ['tofu', ...failed.args].join(' ');
  const { workspace, stateSchema, code } = failed;

  if (LOCK_FAILURE.test(text)) {
    const info = ['Who', 'Operation', 'Created']
      .map(field => {
        const value = text.match(
          new RegExp(`^\\s*${field}:\\s*(.+)$`, 'm'),
        )?.[1];
        return value ? `${field}: ${value.trim()}` : undefined;
      })
      .filter(Boolean);
    const lockInfo =
      info.length > 0 ? ` Lock info printed by tofu: ${info.join(', ')}.` : '';
    return new ConflictError(
      `OpenTofu workspace "${workspace}" (state schema ${stateSchema}) is locked by another run; gave up waiting after ${failed.lockTimeoutSeconds} s (${command}).${lockInfo}`,
    );
  }

  // Plan and apply lock separately: a run that applied in between makes this plan stale.
  if (/Saved plan is stale/i.test(text)) {
    return new ConflictError(
      `OpenTofu workspace "${workspace}" (state schema ${stateSchema}) was changed by another run while this one was planning (${command}); run again to plan against the new state.`,
    );
  }

  const variableBlocks = blocks.filter(block =>
    VARIABLE_ERRORS.some(summary => block.startsWith(`Error: ${summary}`)),
  );
  if (variableBlocks.length > 0) {
    const problems = variableBlocks.map(block => {
      const name = variableNameOf(block) ?? '(unknown)';
      if (block.startsWith('Error: No value for required variable')) {
        return `variable "${name}" is required but was not given`;
      }
      // The detail is the block after its source snippet.
      const detail = block
        .split(/\n\s*\n/)
        .slice(1)
        .filter(part => !/^\s*on .+ line \d+/.test(part))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      return `variable "${name}": ${detail}`;
    });
    return new InputError(
      `Invalid input for OpenTofu module ${path.basename(
        failed.moduleDir,
      )}: ${problems.join('; ')}`,
    );
  }

  const detail =
    blocks.length > 0
      ? blocks.join('\n\n')
      : text.trim().split('\n').slice(-20).join('\n');
  return new Error(
    `${command} failed (exit code ${code}) in workspace "${workspace}" (state schema ${stateSchema}):\n${detail}`,
  );
}

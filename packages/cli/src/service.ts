import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from './errors';

/** A catalog entity the commands act on. */
export interface ServiceRef {
  kind: string;
  namespace: string;
  name: string;
}

export const entityRefOf = (s: ServiceRef) =>
  `${s.kind}:${s.namespace}/${s.name}`;

/** `orders`, `default/orders` or `component:default/orders`. */
export function parseServiceRef(value: string): ServiceRef {
  const match = /^(?:([a-z]+):)?(?:([\w.-]+)\/)?([\w.-]+)$/i.exec(value);
  if (!match) {
    throw new CliError(
      `"${value}" is not a service name`,
      EXIT.usage,
      'give its name, e.g. orders-api, or component:default/orders-api',
    );
  }
  return {
    kind: (match[1] ?? 'component').toLowerCase(),
    namespace: match[2] ?? 'default',
    name: match[3],
  };
}

/**
 * The root of the git repository around `dir`: the nearest directory with a
 * `.git` (a directory, or a file in a worktree or submodule). Looked up
 * without running git, which would cost a process start on every command.
 */
export function gitRootOf(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; ) {
    if (existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The first Component in the catalog-info.yaml at the root of the git repository around `cwd`. */
export async function inferService(
  cwd: string = process.cwd(),
): Promise<ServiceRef> {
  const root = gitRootOf(cwd);
  const file = root && path.join(root, 'catalog-info.yaml');
  if (!file || !existsSync(file)) {
    throw new CliError(
      'no service given, and no catalog-info.yaml at the root of a git repository here',
      EXIT.usage,
      "name the service (e.g. paved status orders-api), or run it in the service's repository",
    );
  }
  // Loaded here, not at start-up: a YAML parser is a fifth of the CLI's own start (docs/benchmarks.md).
  // (require, not import(): the bundle evaluates it on first use; Jest runs it too.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const entity = document.toJS() as {
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    } | null;
    if (entity?.kind === 'Component' && entity.metadata?.name) {
      return {
        kind: 'component',
        namespace: entity.metadata.namespace ?? 'default',
        name: entity.metadata.name,
      };
    }
  }
  throw new CliError(
    `${file} has no Component`,
    EXIT.usage,
    'name the service on the command line',
  );
}

/** The service a command names, else the one of the repository it runs in. */
export async function resolveService(
  value: string | undefined,
): Promise<ServiceRef> {
  return value ? parseServiceRef(value) : inferService();
}

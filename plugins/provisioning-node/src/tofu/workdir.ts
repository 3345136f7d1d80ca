import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** `source = "./x"` or `"../x"` in .tf, `"source": "../x"` in .tf.json. */
const LOCAL_SOURCE = /"?\bsource"?\s*[=:]\s*"(\.\.?\/[^"]*)"/g;

/** The module directory and every local module it calls, transitively. */
async function localModuleDirs(moduleDir: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [path.resolve(moduleDir)];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      throw new Error(
        `Cannot read OpenTofu module directory ${dir}: ${
          (error as Error).message
        }`,
      );
    }
    for (const entry of entries) {
      if (!entry.endsWith('.tf') && !entry.endsWith('.tf.json')) continue;
      const text = await readFile(path.join(dir, entry), 'utf8');
      for (const match of text.matchAll(LOCAL_SOURCE)) {
        queue.push(path.resolve(dir, match[1]));
      }
    }
  }
  return [...seen];
}

function commonAncestor(dirs: string[]): string {
  const split = dirs.map(dir => dir.split(path.sep));
  const first = split[0];
  let length = first.length;
  for (const parts of split.slice(1)) {
    let i = 0;
    while (i < length && i < parts.length && parts[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join(path.sep) || path.sep;
}

/** Leftovers of runs in the source tree that must not leak into a run. */
function copied(source: string): boolean {
  const name = path.basename(source);
  return (
    name !== '.terraform' &&
    !name.startsWith('terraform.tfstate') &&
    !name.endsWith('.tfplan')
  );
}

export interface Workdir {
  /** The temp dir; removed by `remove()`. */
  root: string;
  /** The copy of the module: tofu runs here. */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Copies a module, and the local modules it calls (`source = "../x"`) with
 * their relative layout, into a fresh temp dir, so each run has its own
 * `.terraform` and nothing is written into the source tree.
 */
export async function createWorkdir(
  moduleDir: string,
  parent: string = os.tmpdir(),
): Promise<Workdir> {
  const dirs = await localModuleDirs(moduleDir);
  const base = commonAncestor(dirs);
  const root = await mkdtemp(path.join(parent, 'paved-tofu-run-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    for (const dir of dirs) {
      await cp(dir, path.join(root, 'src', path.relative(base, dir)), {
        recursive: true,
        filter: copied,
      });
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    root,
    dir: path.join(root, 'src', path.relative(base, path.resolve(moduleDir))),
    remove,
  };
}

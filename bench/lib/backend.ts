/*
 * Shared by the benchmarks that drive the real backend over HTTP
 * (bench/create-service.ts, bench/deploy.ts): timing helpers, the guest token,
 * readiness, and one run of the "Create Service" template through the
 * scaffolder API. Node builtins and fetch only; Node 22 strips the types.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const log = (msg: string) =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`,
  );
export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
export const now = () => performance.timeOrigin + performance.now();
export const sec = (ms: number | undefined) =>
  ms === undefined ? '-' : (ms / 1000).toFixed(1);
export const median = (xs: number[]) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile (p in 0..100). */
export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[
    Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  ];
};
export const loadAverage = () =>
  fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

/** Runs a command to its end; its stdout, or an error with its stderr. */
export function sh(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`,
    );
  return r.stdout;
}

/** Polls fn every 500 ms until it returns true; the seconds it took. */
export async function waitFor(
  what: string,
  timeoutS: number,
  fn: () => Promise<boolean>,
) {
  const t0 = now();
  for (;;) {
    try {
      if (await fn()) return (now() - t0) / 1000;
    } catch {
      // not yet
    }
    if (now() - t0 > timeoutS * 1000)
      throw new Error(`timed out after ${timeoutS}s waiting for ${what}`);
    await sleep(500);
  }
}

/** The values the benchmarks give the Create Service template. */
export function templateValues(name: string) {
  return {
    name,
    owner: 'group:default/storefront-team',
    description: 'Benchmark service run',
    language: 'typescript',
    database: 'postgres',
    tier: 'experimental',
  };
}

export const newServiceName = () => `bench-${randomBytes(4).toString('hex')}`;

export type TaskEvent = {
  id: number;
  type: string;
  createdAt: string;
  body: { stepId?: string; status?: string; message?: string };
};
export type TemplateRun = {
  name: string;
  status: string;
  /** POST sent → completion event seen (±100 ms polling). */
  e2eMs: number;
  events: TaskEvent[];
  /** When this client first saw each event (epoch ms). */
  seen: number[];
};

/**
 * Each step's end status and, when its start was seen, how long it took
 * (`processing` → its end, as this client saw the events).
 */
export function stepTimings(run: Pick<TemplateRun, 'events' | 'seen'>) {
  const started: Record<string, number> = {};
  const steps: Record<string, { ms?: number; status: string }> = {};
  run.events.forEach((e, i) => {
    const { stepId, status } = e.body;
    if (e.type === 'completion' || !stepId || !status) return;
    if (status === 'processing') started[stepId] = run.seen[i];
    else
      steps[stepId] = {
        status,
        ms:
          started[stepId] === undefined
            ? undefined
            : run.seen[i] - started[stepId],
      };
  });
  return steps;
}

/** The backend under test, as the browser talks to it (guest token). */
export class Backend {
  readonly base: string;
  private token = '';

  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }

  async headers(): Promise<Record<string, string>> {
    if (!this.token) {
      const res = await fetch(`${this.base}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      if (!res.ok) throw new Error(`guest refresh: HTTP ${res.status}`);
      this.token = ((await res.json()) as any)?.backstageIdentity?.token;
      if (!this.token) throw new Error('guest refresh returned no token');
    }
    return {
      authorization: `Bearer ${this.token}`,
      'content-type': 'application/json',
    };
  }

  /**
   * Readiness, then the template, storefront-team, payments-service and the
   * guest user in the catalog.
   */
  async waitReady(timeoutS: number) {
    const t = await waitFor('backend readiness', timeoutS, async () => {
      const r = await fetch(`${this.base}/.backstage/health/v1/readiness`);
      return r.ok;
    });
    log(`backend ready after ${t.toFixed(1)} s of waiting`);
    for (const ref of [
      'template/default/create-service',
      'group/default/storefront-team',
      'component/default/payments-service',
      'user/default/guest',
    ]) {
      await waitFor(`${ref} in the catalog`, timeoutS, async () => {
        const r = await fetch(
          `${this.base}/api/catalog/entities/by-name/${ref}`,
          { headers: await this.headers() },
        );
        return r.ok;
      });
    }
    // A guest token issued before the catalog had user:default/guest carries no
    // storefront-team ownership, so deploys would get a 403: sign in again.
    this.token = '';
    log(
      'catalog has the template, storefront-team, payments-service and the guest',
    );
  }

  /**
   * Runs Create Service for `name` and polls its events every 100 ms until the
   * completion event (the events' createdAt has 1 s resolution, too coarse for
   * 0.2 s steps). The events go to WORK/task-NAME.json.
   */
  async createService(
    name: string,
    options: {
      work: string;
      timeoutS: number;
      /** Template values over {@link templateValues}, e.g. `{ database: 'none' }`. */
      values?: Record<string, unknown>;
    },
  ): Promise<TemplateRun> {
    const headers = await this.headers();
    const t0 = now();
    const res = await fetch(`${this.base}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        templateRef: 'template:default/create-service',
        values: { ...templateValues(name), ...options.values },
      }),
    });
    if (!res.ok)
      throw new Error(`POST tasks: HTTP ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const events: TaskEvent[] = [];
    const seen: number[] = [];
    let status = '';
    let tDone = 0;
    const deadline = t0 + options.timeoutS * 1000;
    while (now() < deadline) {
      const after = events.length
        ? `?after=${events[events.length - 1].id}`
        : '';
      const r = await fetch(
        `${this.base}/api/scaffolder/v2/tasks/${id}/events${after}`,
        { headers },
      );
      const at = now();
      for (const e of (await r.json()) as TaskEvent[]) {
        events.push(e);
        seen.push(at);
      }
      const completion = events.find(e => e.type === 'completion');
      if (completion) {
        tDone = seen[events.indexOf(completion)];
        const t = await fetch(`${this.base}/api/scaffolder/v2/tasks/${id}`, {
          headers,
        });
        status = ((await t.json()) as any).status;
        break;
      }
      await sleep(100);
    }
    if (!tDone) throw new Error(`task ${id} (${name}) did not finish`);
    fs.writeFileSync(
      path.join(options.work, `task-${name}.json`),
      JSON.stringify(
        events.map((e, i) => ({
          ...e,
          seenAt: new Date(seen[i]).toISOString(),
        })),
        null,
        2,
      ),
    );
    if (status !== 'completed') {
      const tail = events
        .map(e => e.body.message ?? '')
        .filter(Boolean)
        .slice(-15)
        .join('\n');
      log(`task ${name} ${status}; last messages:\n${tail}`);
    }
    return { name, status, e2eMs: tDone - t0, events, seen };
  }
}

/**
 * Gives an image in the platform's registry (HTTP API at `address`) another
 * tag, as a CI's release step would: the manifest read under one tag, put
 * under the other. Returns registry.paved.local/<repo>:<to>.
 */
export async function retagImage(
  address: string,
  repo: string,
  from: string,
  to: string,
) {
  const accept =
    'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const source = await fetch(`http://${address}/v2/${repo}/manifests/${from}`, {
    headers: { accept },
  });
  if (!source.ok)
    throw new Error(`the registry has no ${repo}:${from} (${source.status})`);
  const put = await fetch(`http://${address}/v2/${repo}/manifests/${to}`, {
    method: 'PUT',
    headers: {
      'content-type':
        source.headers.get('content-type') ??
        'application/vnd.oci.image.manifest.v1+json',
    },
    body: Buffer.from(await source.arrayBuffer()),
  });
  if (put.status !== 201)
    throw new Error(`tagging ${repo}:${to} failed (${put.status})`);
  return `registry.paved.local/${repo}:${to}`;
}

// Over 400 lines: one runner for OpenTofu's whole cycle (workdir, pg backend and schema,
// workspace, init, plan, apply, outputs, destroy, streamed and redacted logs); the parsing of
// tofu's output is in output.ts.
import { Config } from '@backstage/config';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, ClientConfig } from 'pg';
import { runProcess } from './process';
import { connectionPassword, Redactor, SECRET_ENV_NAME } from './redaction';
import {
  TofuModuleRun,
  TofuOutput,
  TofuPlan,
  TofuRunner,
  TofuSettings,
} from './types';
import { createWorkdir } from './workdir';
import { outputsOf, summarisePlan, tofuFailure } from './output';
import { adoptionCandidates } from './adoption';

const PLAN_FILE = 'paved.tfplan';
const BACKEND_OVERRIDE = 'paved_backend_override.tf';
/** Environment that tofu and providers may need from the portal's process; nothing else leaks in. */
const PASSED_ENV = [
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];
/** Two first runs creating a schema's tables at once (pg backend DDL without a lock). */
const STATE_DDL_RACE =
  /duplicate key value violates unique constraint|already exists \(SQLSTATE 42P07\)/;

/** A workspace name tofu accepts in a URL path, and not the undeletable "default". */
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface Run {
  run: Omit<TofuModuleRun, 'variables'> & {
    variables?: Record<string, unknown>;
  };
  dir: string;
  redactor: Redactor;
  log(line: string): void;
  tofu(
    args: string[],
    options?: { quietStdout?: boolean; allowFailure?: boolean },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function commandLine(args: string[]): string {
  return ['tofu', ...args].join(' ');
}

function pgClientConfig(connection: string): ClientConfig {
  if (/^postgres(ql)?:\/\//.test(connection)) {
    return { connectionString: connection };
  }
  // lib/pq's key=value form
  const values: Record<string, string> = {};
  for (const match of connection.matchAll(
    /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g,
  )) {
    values[match[1]] =
      match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return {
    host: values.host,
    port: values.port ? Number(values.port) : undefined,
    user: values.user,
    password: values.password,
    database: values.dbname,
    ssl:
      values.sslmode && values.sslmode !== 'disable'
        ? { rejectUnauthorized: values.sslmode.startsWith('verify') }
        : false,
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Provider environment for the local platform's (or any) PostgreSQL URL. */
function postgresEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  const env: Record<string, string> = {
    PGHOST: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    PGPORT: parsed.port || '5432',
    PGSSLMODE: parsed.searchParams.get('sslmode') ?? 'disable',
  };
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  return env;
}

/** Options of DefaultTofuRunner beyond the settings. */
export interface DefaultTofuRunnerOptions {
  /** After an abort: how long tofu may take to stop cleanly before it is killed (default 10 s). */
  abortGraceMs?: number;
  /** Where the per-run temp dirs go (default: the OS temp dir). */
  workDir?: string;
}

/**
 * Runs OpenTofu modules with state in PostgreSQL (the pg backend, one schema
 * per module, one workspace per service). Every run works in a fresh copy of
 * the module in a temp dir, removed afterwards; provider credentials reach
 * tofu as environment only, and every line of output is redacted before it
 * reaches `onLog` or an error message.
 */
export class DefaultTofuRunner implements TofuRunner {
  private readonly settings: TofuSettings;
  private readonly lockTimeoutSeconds: number;
  private readonly secrets: string[];

  /**
   * Reads `paved.platform.tofu.*` (binary, cliConfig, stateConnection,
   * lockTimeoutSeconds) and builds the provider environment from
   * `paved.platform.kubeconfig` (KUBE_CONFIG_PATH, for runs not given their
   * cluster's `providerEnv`), `paved.platform.vault`
   * (VAULT_ADDR, VAULT_TOKEN) and `paved.platform.postgres.url` (PGHOST,
   * PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, default disable).
   */
  static fromConfig(
    config: Config,
    options?: DefaultTofuRunnerOptions,
  ): DefaultTofuRunner {
    const platform = config.getConfig('paved.platform');
    const tofu = platform.getConfig('tofu');
    const providerEnv: Record<string, string> = {};
    const kubeconfig = platform.getOptionalString('kubeconfig');
    if (kubeconfig) providerEnv.KUBE_CONFIG_PATH = kubeconfig;
    const vault = platform.getOptionalConfig('vault');
    if (vault) {
      providerEnv.VAULT_ADDR = vault.getString('address');
      providerEnv.VAULT_TOKEN = vault.getString('token');
    }
    const postgresUrl = platform.getOptionalString('postgres.url');
    if (postgresUrl) Object.assign(providerEnv, postgresEnv(postgresUrl));
    return new DefaultTofuRunner(
      {
        binary: tofu.getString('binary'),
        cliConfig: tofu.getString('cliConfig'),
        stateConnection: tofu.getString('stateConnection'),
        lockTimeoutSeconds: tofu.getOptionalNumber('lockTimeoutSeconds'),
        providerEnv,
      },
      options,
    );
  }

  constructor(
    settings: TofuSettings,
    private readonly options: DefaultTofuRunnerOptions = {},
  ) {
    this.settings = settings;
    this.lockTimeoutSeconds = settings.lockTimeoutSeconds ?? 60;
    this.secrets = Object.entries(settings.providerEnv)
      .filter(([name]) => SECRET_ENV_NAME.test(name))
      .map(([, value]) => value);
    const statePassword = connectionPassword(settings.stateConnection);
    if (statePassword) this.secrets.push(statePassword);
  }

  async plan(
    run: TofuModuleRun,
    options?: { destroy?: boolean },
  ): Promise<TofuPlan> {
    const exists = await this.workspaceExists(run);
    if (!exists && options?.destroy) {
      return { add: 0, change: 0, destroy: 0, changes: [] };
    }
    // Without the backend override, the plan runs on the default local
    // backend in the temp dir: an empty state, and nothing is created in pg.
    return this.withRun(run, { backend: exists }, async r => {
      await this.init(r);
      if (exists) await r.tofu(['workspace', 'select', run.workspace]);
      return this.makePlan(r, Boolean(options?.destroy));
    });
  }

  async apply(
    run: TofuModuleRun,
  ): Promise<{ plan: TofuPlan; outputs: Record<string, TofuOutput> }> {
    const exists = await this.workspaceExists(run);
    return this.withRun(run, { backend: true }, async r => {
      await this.init(r);
      await this.selectWorkspace(r, exists);
      let planned = await this.makePlanJson(r, false);
      const args = ['apply', ...this.flags(), PLAN_FILE];
      const applied = await r.tofu(args, { allowFailure: true });
      if (applied.code !== 0) {
        const failure = this.failure(
          r,
          ['apply', '-no-color', ...args.slice(1)],
          applied.code,
          applied.stderr || applied.stdout,
        );
        // A lock or a stale plan is another run's: nothing of ours to take back.
        if (failure.name !== 'Error' || !(await this.adopt(r, planned))) {
          throw failure;
        }
        planned = await this.makePlanJson(r, false);
        await r.tofu(args);
      }
      const outputs = await this.readOutputs(r);
      return { plan: summarisePlan(planned), outputs };
    });
  }

  /**
   * After a failed apply: imports what its plan created and the state lacks, where the
   * object exists (left by an apply stopped before it saved its state; see adoption.ts).
   * Whether anything was imported, so that applying again can succeed.
   */
  private async adopt(r: Run, planned: unknown): Promise<boolean> {
    const listed = await r.tofu(['state', 'list'], {
      allowFailure: true,
      quietStdout: true,
    });
    if (listed.code !== 0) {
      r.log(
        'The state could not be listed, so nothing a stopped apply left is adopted.',
      );
      return false;
    }
    const tracked = new Set(listed.stdout.split('\n').filter(Boolean));
    let adopted = 0;
    for (const { address, id } of adoptionCandidates(planned, tracked)) {
      const imported = await r.tofu(['import', ...this.flags(), address, id], {
        allowFailure: true,
      });
      if (imported.code !== 0) continue; // not there: the apply's failure was something else
      adopted++;
      r.log(
        `Adopted ${address} (${id}): it exists but was not in the state, as an apply stopped before saving its state leaves it.`,
      );
    }
    return adopted > 0;
  }

  async destroy(run: TofuModuleRun): Promise<{ plan: TofuPlan }> {
    if (!(await this.workspaceExists(run))) {
      run.onLog?.(
        `Workspace ${run.workspace} does not exist in ${run.stateSchema}: nothing to destroy.`,
      );
      return { plan: { add: 0, change: 0, destroy: 0, changes: [] } };
    }
    return this.withRun(run, { backend: true }, async r => {
      await this.init(r);
      await r.tofu(['workspace', 'select', run.workspace]);
      const plan = await this.makePlan(r, true);
      await r.tofu(['apply', ...this.flags(), PLAN_FILE]);
      // The current workspace cannot be deleted; "default" is never created by selecting it.
      await r.tofu(['workspace', 'select', 'default']);
      await r.tofu([
        'workspace',
        'delete',
        `-lock-timeout=${this.lockTimeoutSeconds}s`,
        run.workspace,
      ]);
      return { plan };
    });
  }

  async outputs(
    run: Omit<TofuModuleRun, 'variables'>,
  ): Promise<Record<string, TofuOutput> | undefined> {
    if (!(await this.workspaceExists(run))) return undefined;
    return this.withRun(run, { backend: true }, async r => {
      await this.init(r);
      await r.tofu(['workspace', 'select', run.workspace]);
      return this.readOutputs(r);
    });
  }

  private flags(): string[] {
    return ['-input=false', `-lock-timeout=${this.lockTimeoutSeconds}s`];
  }

  private async init(r: Run): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const result = await r.tofu(['init', '-input=false'], {
        allowFailure: true,
      });
      if (result.code === 0) return;
      const output = result.stderr || result.stdout;
      if (attempt >= 3 || !STATE_DDL_RACE.test(output)) {
        throw this.failure(r, ['init', '-input=false'], result.code, output);
      }
      r.log(
        'Another run created the state tables at the same moment; retrying init.',
      );
      await new Promise(resolve =>
        setTimeout(resolve, 200 + Math.random() * 500),
      );
    }
  }

  private async selectWorkspace(r: Run, exists: boolean): Promise<void> {
    const { workspace } = r.run;
    if (exists) {
      await r.tofu(['workspace', 'select', workspace]);
      return;
    }
    // The pg backend creates a workspace under one creation lock for the whole
    // database, without waiting for it: retry until lockTimeoutSeconds.
    const deadline = Date.now() + this.lockTimeoutSeconds * 1000;
    const args = [
      'workspace',
      'new',
      `-lock-timeout=${this.lockTimeoutSeconds}s`,
      workspace,
    ];
    for (;;) {
      const created = await r.tofu(args, { allowFailure: true });
      if (created.code === 0) return;
      const output = `${created.stdout}\n${created.stderr}`;
      if (/already exists/.test(output)) {
        // Another run created it since we looked.
        await r.tofu(['workspace', 'select', workspace]);
        return;
      }
      if (
        !/locked for workspace creation/.test(output) ||
        Date.now() > deadline
      ) {
        throw this.failure(r, args, created.code, output);
      }
      r.log('Another run is creating a workspace; trying again.');
      await new Promise(resolve =>
        setTimeout(resolve, 250 + Math.random() * 750),
      );
    }
  }

  private async makePlan(r: Run, destroy: boolean): Promise<TofuPlan> {
    return summarisePlan(await this.makePlanJson(r, destroy));
  }

  /** Plans into PLAN_FILE; the plan as `tofu show -json` gives it. */
  private async makePlanJson(r: Run, destroy: boolean): Promise<any> {
    await r.tofu([
      'plan',
      ...this.flags(),
      ...(destroy ? ['-destroy'] : []),
      `-out=${PLAN_FILE}`,
    ]);
    const shown = await r.tofu(['show', '-json', PLAN_FILE], {
      quietStdout: true,
    });
    const json = JSON.parse(shown.stdout);
    this.learnSecrets(r, json);
    return json;
  }

  /** Sensitive outputs (before and after) and sensitive variables of a plan are hidden from now on. */
  private learnSecrets(r: Run, json: any): void {
    for (const outputs of [
      json.prior_state?.values?.outputs,
      json.planned_values?.outputs,
    ]) {
      for (const output of Object.values<any>(outputs ?? {})) {
        if (output.sensitive) r.redactor.add(output.value);
      }
    }
    const variables = json.configuration?.root_module?.variables ?? {};
    for (const [name, variable] of Object.entries<any>(variables)) {
      if (variable.sensitive) r.redactor.add(r.run.variables?.[name]);
    }
  }

  private async readOutputs(r: Run): Promise<Record<string, TofuOutput>> {
    const result = await r.tofu(['output', '-json'], { quietStdout: true });
    const outputs = outputsOf(JSON.parse(result.stdout || '{}'));
    for (const output of Object.values(outputs)) {
      if (output.sensitive) r.redactor.add(output.value);
    }
    return outputs;
  }

  private checkNames(run: Omit<TofuModuleRun, 'variables'>): void {
    if (!WORKSPACE_NAME.test(run.workspace) || run.workspace === 'default') {
      throw new InputError(
        `Invalid OpenTofu workspace name "${run.workspace}": use letters, digits, "-", "_" and "." (not "default")`,
      );
    }
    if (!SCHEMA_NAME.test(run.stateSchema)) {
      throw new InputError(
        `Invalid OpenTofu state schema "${run.stateSchema}": use a lowercase PostgreSQL identifier`,
      );
    }
  }

  /** Whether the pg backend has a state for the workspace; looks without creating anything. */
  private async workspaceExists(
    run: Omit<TofuModuleRun, 'variables'>,
  ): Promise<boolean> {
    this.checkNames(run);
    const client = new Client(pgClientConfig(this.settings.stateConnection));
    try {
      await client.connect();
      const table = `${quoteIdentifier(run.stateSchema)}.states`;
      const found = await client.query(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [table],
      );
      if (!found.rows[0].present) return false;
      const state = await client.query(
        `SELECT 1 FROM ${table} WHERE name = $1`,
        [run.workspace],
      );
      return state.rows.length > 0;
    } catch (error) {
      throw new ServiceUnavailableError(
        `The OpenTofu state database is unreachable (${
          (error as Error).message
        }); check paved.platform.tofu.stateConnection.`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async withRun<T>(
    run: Run['run'],
    options: { backend: boolean },
    fn: (r: Run) => Promise<T>,
  ): Promise<T> {
    if (run.signal?.aborted) throw this.aborted(['init']);
    const workdir = await createWorkdir(run.moduleDir, this.options.workDir);
    try {
      const dir = workdir.dir;
      await writeFile(
        path.join(dir, 'terraform.tfvars.json'),
        JSON.stringify(run.variables ?? {}, null, 2),
        { mode: 0o600 },
      );
      if (options.backend) {
        await writeFile(
          path.join(dir, BACKEND_OVERRIDE),
          '# Written by Paved\'s TofuRunner: state goes to PostgreSQL (PG_CONN_STR, PG_SCHEMA_NAME).\nterraform {\n  backend "pg" {}\n}\n',
        );
      }
      const redactor = new Redactor([
        ...this.secrets,
        ...Object.entries(run.providerEnv ?? {})
          .filter(([name]) => SECRET_ENV_NAME.test(name))
          .map(([, value]) => value),
      ]);
      const log = (line: string) => {
        try {
          run.onLog?.(redactor.redact(line));
        } catch {
          // a failing log callback must not break the run
        }
      };
      const env = this.environment(run, workdir.root);
      const r: Run = {
        run,
        dir,
        redactor,
        log,
        tofu: async (args, opts) => {
          // `state list` prints addresses only and takes no -no-color.
          let full = [args[0], '-no-color', ...args.slice(1)];
          if (args[0] === 'workspace') {
            full = [args[0], args[1], '-no-color', ...args.slice(2)];
          } else if (args[0] === 'state') full = args;
          log(`$ ${commandLine(full)}`);
          let result;
          try {
            result = await runProcess(this.settings.binary, full, {
              cwd: dir,
              env,
              onLine: log,
              quietStdout: opts?.quietStdout,
              signal: run.signal,
              abortGraceMs: this.options.abortGraceMs ?? 10_000,
            });
          } catch (error) {
            throw new Error(
              `Cannot run tofu (${this.settings.binary}): ${
                (error as Error).message
              }; check paved.platform.tofu.binary.`,
            );
          }
          if (result.aborted) throw this.aborted(full);
          if (result.code !== 0 && !opts?.allowFailure) {
            throw this.failure(
              r,
              full,
              result.code,
              result.stderr || result.stdout,
            );
          }
          return result;
        },
      };
      return await fn(r);
    } finally {
      await workdir.remove();
    }
  }

  private environment(
    run: Pick<TofuModuleRun, 'stateSchema' | 'providerEnv'>,
    tmp: string,
  ): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    const providerEnv = { ...this.settings.providerEnv };
    // A run given its cluster (KUBE_HOST) does not also get the default kubeconfig.
    if (run.providerEnv?.KUBE_HOST) delete providerEnv.KUBE_CONFIG_PATH;
    for (const name of PASSED_ENV) {
      if (process.env[name] !== undefined) env[name] = process.env[name];
    }
    return {
      ...env,
      HOME: env.HOME ?? tmp,
      PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      TF_CLI_CONFIG_FILE: this.settings.cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      PG_CONN_STR: this.settings.stateConnection,
      PG_SCHEMA_NAME: run.stateSchema,
      ...providerEnv,
      ...run.providerEnv,
    };
  }

  private aborted(args: string[]): Error {
    const error = new Error(`${commandLine(args)} was aborted`);
    error.name = 'AbortError';
    return error;
  }

  /** The error for a failed tofu command (see tofuFailure). */
  private failure(
    r: Run,
    args: string[],
    code: number | null,
    output: string,
  ): Error {
    return tofuFailure({
      output: r.redactor.redact(output),
      args,
      code,
      workspace: r.run.workspace,
      stateSchema: r.run.stateSchema,
      moduleDir: r.run.moduleDir,
      lockTimeoutSeconds: this.lockTimeoutSeconds,
    });
  }
}

/** Where tofu runs and what it runs with. */
export interface TofuSettings {
  /** The tofu executable. */
  binary: string;
  /** The CLI config file (TF_CLI_CONFIG_FILE): where providers come from. */
  cliConfig: string;
  /** `conn_str` of the pg state backend (PG_CONN_STR). */
  stateConnection: string;
  /**
   * Provider credentials, passed to tofu as environment only (never as
   * variables, never logged), e.g. KUBE_CONFIG_PATH, VAULT_ADDR, VAULT_TOKEN,
   * PGHOST, PGPASSWORD.
   */
  providerEnv: Record<string, string>;
  /** How long to wait for another run's state lock (`-lock-timeout`); default 60. */
  lockTimeoutSeconds?: number;
}

/** One module run against one workspace of the pg state backend. */
export interface TofuModuleRun {
  /** Directory with the module's .tf files; copied into a private working dir per run. */
  moduleDir: string;
  /** State name in the pg backend, e.g. the service name. */
  workspace: string;
  /** PostgreSQL schema holding this module's states, e.g. 'tofu_service_namespace'. */
  stateSchema: string;
  /** The module's input variables, written as terraform.tfvars.json. */
  variables: Record<string, unknown>;
  /**
   * Provider environment of this run over the runner's, e.g. the Kubernetes
   * provider's cluster (KUBE_HOST, KUBE_TOKEN, KUBE_CLUSTER_CA_CERT_DATA from
   * `tofuEnvFor`); secret values are redacted from the logs as the runner's are.
   */
  providerEnv?: Record<string, string>;
  /** Each output line of tofu as it streams, already redacted. */
  onLog?: (line: string) => void;
  /** Aborting interrupts tofu (and kills it if it does not stop). */
  signal?: AbortSignal;
}

export type TofuChangeAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'replace'
  | 'read';

/** What a plan would do, from `tofu show -json`. */
export interface TofuPlan {
  /** Resources to create (a replacement counts here and in `destroy`). */
  add: number;
  /** Resources to update in place. */
  change: number;
  /** Resources to delete (a replacement counts here and in `add`). */
  destroy: number;
  /** Every planned change; no-ops are left out. */
  changes: Array<{ address: string; action: TofuChangeAction }>;
}

/** One root module output. */
export interface TofuOutput {
  value: unknown;
  sensitive: boolean;
}

/**
 * Runs OpenTofu modules with state in PostgreSQL. Errors are
 * `@backstage/errors` classes: ConflictError when another run holds the
 * workspace's lock, InputError for invalid or missing variables.
 */
export interface TofuRunner {
  /**
   * Plans without changing anything. If the workspace doesn't exist yet it is
   * NOT created: the plan runs against an empty state with a local backend in
   * the run's temp dir.
   */
  plan(run: TofuModuleRun, options?: { destroy?: boolean }): Promise<TofuPlan>;
  /**
   * init → select/create workspace → plan -out → apply that plan → outputs.
   * Idempotent: a second apply with the same inputs reports 0/0/0.
   */
  apply(
    run: TofuModuleRun,
  ): Promise<{ plan: TofuPlan; outputs: Record<string, TofuOutput> }>;
  /**
   * Destroys everything in the workspace and then deletes the workspace. A
   * missing workspace is a no-op.
   */
  destroy(run: TofuModuleRun): Promise<{ plan: TofuPlan }>;
  /** The outputs currently in the workspace's state, or undefined if the workspace doesn't exist. */
  outputs(
    run: Omit<TofuModuleRun, 'variables'>,
  ): Promise<Record<string, TofuOutput> | undefined>;
}

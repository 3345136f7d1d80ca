import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { CoreV1Api } from '@kubernetes/client-node';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPlatformSandbox, PlatformSandbox } from '../testUtils';
import { DefaultTofuRunner } from './TofuRunner';
import { TofuModuleRun } from './types';

// Against the local platform's real OpenTofu, PostgreSQL state backend and
// kube-apiserver (npm test brings them up). No mocks.

const MODULE = `
terraform {
  required_providers {
    kubernetes = { source = "hashicorp/kubernetes" }
    random     = { source = "hashicorp/random" }
  }
}

variable "namespace" {
  type = string
}

variable "name" {
  type = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name))
    error_message = "name must be a lowercase DNS label."
  }
}

variable "pause_seconds" {
  type    = number
  default = 0
}

variable "echo" {
  description = "Prints credentials from the environment and the sensitive output, to prove they are redacted."
  type        = string
  default     = ""
}

resource "random_password" "secret" {
  length  = 24
  special = false
}

resource "kubernetes_config_map_v1" "settings" {
  metadata {
    name      = var.name
    namespace = var.namespace
  }
  data = { LOG_LEVEL = "info" }
}

# Holds the state lock for pause_seconds while it is created.
resource "terraform_data" "pause" {
  triggers_replace = [var.pause_seconds]
  provisioner "local-exec" {
    command = "sleep \${var.pause_seconds}"
  }
}

resource "terraform_data" "echo" {
  count            = var.echo == "" ? 0 : 1
  triggers_replace = [var.echo]
  provisioner "local-exec" {
    command = "echo token=$VAULT_TOKEN pgpassword=$PGPASSWORD secret=\${nonsensitive(random_password.secret.result)} kube=$KUBE_CONFIG_PATH pg=$PGUSER@$PGHOST:$PGPORT/$PGSSLMODE schema=$PG_SCHEMA_NAME"
  }
}

output "config_map" {
  value = kubernetes_config_map_v1.settings.metadata[0].name
}

output "secret" {
  value     = random_password.secret.result
  sensitive = true
}
`;

describe('DefaultTofuRunner', () => {
  let sandbox: PlatformSandbox;
  let moduleDir: string;
  let runner: DefaultTofuRunner;
  let stateSchema: string;
  let pgPassword: string;
  let workDir: string;
  const logs: string[] = [];

  const run = (
    workspace: string,
    variables: Record<string, unknown> = {},
  ): TofuModuleRun => ({
    moduleDir,
    workspace,
    stateSchema,
    variables: { namespace: sandbox.namespace, name: 'settings', ...variables },
    onLog: line => logs.push(line),
  });

  async function stateRows(): Promise<string[] | undefined> {
    const client = new Client({
      connectionString: sandbox.platform.tofu.stateConnection,
    });
    await client.connect();
    try {
      const table = await client.query(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [`${stateSchema}.states`],
      );
      if (!table.rows[0].present) return undefined;
      const { rows } = await client.query(
        `SELECT name FROM ${stateSchema}.states ORDER BY name`,
      );
      return rows.map(row => row.name);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    stateSchema = `tofu_test_${sandbox.id}`;
    moduleDir = await mkdtemp(path.join(os.tmpdir(), 'paved-tofu-module-'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'paved-tofu-workdirs-'));
    await writeFile(path.join(moduleDir, 'main.tf'), MODULE);
    // Trust authentication ignores it; it is here to be passed and redacted.
    pgPassword = `pw-${sandbox.id}-not-for-logs`;
    const postgresUrl = new URL(sandbox.platform.postgresUrl);
    postgresUrl.password = pgPassword;
    runner = DefaultTofuRunner.fromConfig(
      new ConfigReader({
        paved: {
          platform: {
            kubeconfig: sandbox.platform.kubeconfigPath,
            postgres: { url: postgresUrl.toString() },
            vault: sandbox.platform.vault,
            tofu: { ...sandbox.platform.tofu, lockTimeoutSeconds: 30 },
          },
        },
      }),
      { workDir },
    );
  });

  afterAll(async () => {
    const client = new Client({
      connectionString: sandbox.platform.tofu.stateConnection,
    });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${stateSchema} CASCADE`);
    await client.end();
    await rm(moduleDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it('plans a workspace that does not exist without creating it', async () => {
    const plan = await runner.plan(run('orders'));
    expect(plan).toEqual({
      add: 3,
      change: 0,
      destroy: 0,
      changes: [
        { address: 'kubernetes_config_map_v1.settings', action: 'create' },
        { address: 'random_password.secret', action: 'create' },
        { address: 'terraform_data.pause', action: 'create' },
      ],
    });
    // Not even the pg backend's schema was created.
    expect(await stateRows()).toBeUndefined();
    expect(await runner.outputs(run('orders'))).toBeUndefined();
    expect(await runner.plan(run('orders'), { destroy: true })).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      changes: [],
    });
  }, 60_000);

  it('applies, reports outputs with sensitive ones flagged, and is idempotent', async () => {
    const first = await runner.apply(run('orders'));
    expect(first.plan).toMatchObject({ add: 3, change: 0, destroy: 0 });
    expect(first.outputs).toEqual({
      config_map: { value: 'settings', sensitive: false },
      secret: {
        value: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
        sensitive: true,
      },
    });
    expect(await stateRows()).toEqual(['orders']);
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const configMap = await core.readNamespacedConfigMap({
      name: 'settings',
      namespace: sandbox.namespace,
    });
    expect(configMap.data).toEqual({ LOG_LEVEL: 'info' });

    expect(await runner.outputs(run('orders'))).toEqual(first.outputs);

    const second = await runner.apply(run('orders'));
    expect(second.plan).toEqual({ add: 0, change: 0, destroy: 0, changes: [] });
    expect(second.outputs).toEqual(first.outputs);
  }, 120_000);

  it('counts a replacement as one add and one destroy', async () => {
    const plan = await runner.plan(run('orders', { name: 'renamed' }));
    expect(plan).toEqual({
      add: 1,
      change: 0,
      destroy: 1,
      changes: [
        { address: 'kubernetes_config_map_v1.settings', action: 'replace' },
      ],
    });
  }, 60_000);

  it('streams redacted output: no credential and no sensitive output value reaches onLog', async () => {
    const secret = (await runner.outputs(run('orders')))!.secret
      .value as string;
    logs.length = 0;
    const { plan } = await runner.apply(run('orders', { echo: 'once' }));
    expect(plan.changes).toEqual([
      { address: 'terraform_data.echo[0]', action: 'create' },
    ]);
    const echoed = logs.find(line =>
      line.startsWith('terraform_data.echo[0] (local-exec): token='),
    );
    expect(echoed).toContain(
      `token=*** pgpassword=*** secret=*** kube=${sandbox.platform.kubeconfigPath}`,
    );
    const pg = new URL(sandbox.platform.postgresUrl);
    expect(echoed).toContain(
      `pg=${pg.username}@${pg.hostname}:${pg.port}/disable schema=${stateSchema}`,
    );
    expect(logs).toContainEqual(expect.stringMatching(/^\$ tofu apply /));
    expect(logs).toContainEqual(
      expect.stringContaining('Apply complete! Resources: 1 added'),
    );
    for (const line of logs) {
      expect(line).not.toContain(sandbox.platform.vault.token);
      expect(line).not.toContain(pgPassword);
      expect(line).not.toContain(secret);
    }
  }, 60_000);

  it('refuses a missing required variable and an invalid one with an InputError naming it', async () => {
    const missing = runner.plan({ ...run('orders'), variables: { name: 'x' } });
    await expect(missing).rejects.toThrow(InputError);
    await expect(missing).rejects.toThrow(
      /variable "namespace" is required but was not given/,
    );
    const invalid = runner.apply(run('orders', { name: 'Not_A_Label' }));
    await expect(invalid).rejects.toThrow(InputError);
    await expect(invalid).rejects.toThrow(
      /variable "name": .*name must be a lowercase DNS label/,
    );
    const mistyped = runner.plan(run('orders', { pause_seconds: 'long' }));
    await expect(mistyped).rejects.toThrow(InputError);
    await expect(mistyped).rejects.toThrow(/variable "pause_seconds"/);
  }, 60_000);

  it('gives one of two concurrent applies on a workspace a ConflictError', async () => {
    const settings = {
      binary: sandbox.platform.tofu.binary,
      cliConfig: sandbox.platform.tofu.cliConfig,
      stateConnection: sandbox.platform.tofu.stateConnection,
      providerEnv: { KUBE_CONFIG_PATH: sandbox.platform.kubeconfigPath },
      lockTimeoutSeconds: 1,
    };
    const impatient = new DefaultTofuRunner(settings, { workDir });
    const variables = { name: 'locked' };
    await impatient.apply(run('locking', variables));

    try {
      const results = await Promise.allSettled([
        impatient.apply(run('locking', { ...variables, pause_seconds: 6 })),
        impatient.apply(run('locking', { ...variables, pause_seconds: 7 })),
      ]);
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(ConflictError);
      // Which of the two conflicts depends on timing: the lock held during apply,
      // or a plan made stale by the other run's apply.
      expect(rejected[0].reason.message).toMatch(
        /OpenTofu workspace "locking" \(state schema tofu_test_\w+\) (is locked by another run; gave up waiting after 1 s \(tofu (plan|apply) .*\)\. Lock info printed by tofu: Who: .+, Operation: OperationType\w+, Created: .+\.|was changed by another run while this one was planning \(tofu apply .*\); run again to plan against the new state\.)/,
      );
    } finally {
      await impatient.destroy(run('locking', variables));
    }
  }, 120_000);

  it('creates several workspaces at once (the pg backend creates one at a time)', async () => {
    const names = ['parallel-1', 'parallel-2', 'parallel-3'];
    try {
      const applied = await Promise.all(
        names.map(name => runner.apply(run(name, { name }))),
      );
      expect(applied.map(a => a.outputs.config_map.value)).toEqual(names);
      expect(await stateRows()).toEqual(
        expect.arrayContaining(['orders', ...names]),
      );
    } finally {
      await Promise.allSettled(
        names.map(name => runner.destroy(run(name, { name }))),
      );
    }
    expect(await stateRows()).toEqual(['orders']);
  }, 120_000);

  it('kills tofu on abort and releases the lock', async () => {
    const controller = new AbortController();
    const variables = { name: 'aborted', pause_seconds: 120 };
    let abortedAt = 0;
    const applying = runner.apply({
      ...run('aborted', variables),
      signal: controller.signal,
      onLog: line => {
        // Abort while the 120 s pause holds the lock.
        if (!abortedAt && line.includes('terraform_data.pause: Creating')) {
          abortedAt = Date.now();
          setTimeout(() => controller.abort(), 1000);
        }
      },
    });
    await expect(applying).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringMatching(/^tofu apply .* was aborted$/),
    });
    expect(Date.now() - abortedAt).toBeLessThan(15_000);
    // The next run gets the lock at once and removes what the aborted one created.
    const { plan } = await runner.destroy(run('aborted', variables));
    expect(plan.changes).toContainEqual({
      address: 'kubernetes_config_map_v1.settings',
      action: 'delete',
    });
  }, 120_000);

  it('takes back what a killed apply created but never saved, and finishes (decision 0028)', async () => {
    // tofu killed outright (SIGKILL: the machine or the portal's process group dies) after
    // it made the ConfigMap and before it saved any state: applying again would be refused
    // ("already exists") but for the import of what the plan meant to create.
    const variables = { name: 'halfway', pause_seconds: 8 };
    const lines: string[] = [];
    let killed: number | undefined;
    const applying = runner.apply({
      ...run('halfway', variables),
      onLog: line => {
        lines.push(line);
        if (
          killed === undefined &&
          line.includes('kubernetes_config_map_v1.settings: Creation complete')
        ) {
          killed = killTofu('apply');
        }
      },
    });
    const { plan, outputs } = await applying;
    expect(killed).toEqual(expect.any(Number));
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Adopted kubernetes_config_map_v1\\.settings \\(${sandbox.namespace}/halfway\\): it exists but was not in the state`,
        ),
      ),
    );
    expect(plan.changes).not.toContainEqual(
      expect.objectContaining({ address: 'kubernetes_config_map_v1.settings' }),
    );
    expect(outputs.config_map).toEqual({ value: 'halfway', sensitive: false });
    // Tracked now: a run again changes nothing, and destroy removes it.
    expect((await runner.plan(run('halfway', variables))).changes).toEqual([]);
    const destroyed = await runner.destroy(run('halfway', variables));
    expect(destroyed.plan.changes).toContainEqual({
      address: 'kubernetes_config_map_v1.settings',
      action: 'delete',
    });
  }, 180_000);

  /** SIGKILLs this test's running `tofu <command>` (found by its working directory); its pid. */
  function killTofu(command: string): number {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const cwd = readlinkSync(`/proc/${entry}/cwd`);
        if (args[1] === command && cwd.startsWith(workDir)) {
          process.kill(Number(entry), 'SIGKILL');
          return Number(entry);
        }
      } catch {
        // gone, or not ours to read
      }
    }
    throw new Error(`no tofu ${command} running under ${workDir}`);
  }

  it('destroys everything and deletes the workspace; a missing workspace is a no-op', async () => {
    const { plan } = await runner.destroy(run('orders', { echo: 'once' }));
    expect(plan).toMatchObject({ add: 0, change: 0, destroy: 4 });
    expect(plan.changes.map(c => c.action)).toEqual([
      'delete',
      'delete',
      'delete',
      'delete',
    ]);
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    await expect(
      core.readNamespacedConfigMap({
        name: 'settings',
        namespace: sandbox.namespace,
      }),
    ).rejects.toMatchObject({ code: 404 });
    expect(await stateRows()).toEqual([]);
    expect(await runner.outputs(run('orders'))).toBeUndefined();
    expect(await runner.destroy(run('orders'))).toEqual({
      plan: { add: 0, change: 0, destroy: 0, changes: [] },
    });
    // Every run's temp dir is gone.
    expect(await readdir(workDir)).toEqual([]);
  }, 120_000);
});

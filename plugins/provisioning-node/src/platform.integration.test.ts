import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createPlatformSandbox, PlatformSandbox } from './testUtils';

// The local platform's acceptance checks (`yarn platform up`, which npm test runs):
// the real kube-apiserver + controller-manager + scheduler with kwok's fake nodes, Vault,
// PostgreSQL and OpenTofu.
const exec = promisify(execFile);

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('the local platform', () => {
  let sandbox: PlatformSandbox;
  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
  });
  afterAll(() => sandbox?.cleanup());

  it('rolls out a Deployment applied through @kubernetes/client-node: Pods scheduled on the fake nodes, Running and Ready, and again after an image change', async () => {
    const apps = sandbox.kubeConfig.makeApiClient(AppsV1Api);
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = sandbox.namespace;
    const labels = { 'app.kubernetes.io/name': 'hello' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'hello', labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: 'hello', image: 'registry.local/hello:1.0.0' },
              ],
            },
          },
        },
      },
    });

    // The Deployment is rolled out when the controller-manager has seen its latest
    // spec and every replica is updated and available (kube-scheduler binds the Pods,
    // kwok plays their kubelet).
    const rolledOut = (image: string) =>
      poll(`the Deployment rolled out with ${image}`, async () => {
        const deployment = await apps.readNamespacedDeployment({
          name: 'hello',
          namespace,
        });
        const { metadata, spec, status } = deployment;
        const progressing = status?.conditions?.find(
          c => c.type === 'Progressing',
        );
        return spec?.template.spec?.containers[0].image === image &&
          status?.observedGeneration === metadata?.generation &&
          status?.replicas === 2 &&
          status?.updatedReplicas === 2 &&
          status?.readyReplicas === 2 &&
          status?.availableReplicas === 2 &&
          progressing?.reason === 'NewReplicaSetAvailable'
          ? deployment
          : undefined;
      });
    const podsOf = async (image: string) => {
      const { items } = await core.listNamespacedPod({
        namespace,
        labelSelector: 'app.kubernetes.io/name=hello',
      });
      return items.filter(p => p.spec?.containers[0].image === image);
    };
    const expectRunningAndReady = async (image: string) => {
      // Pods of the old ReplicaSet may still be on their way out.
      const pods = await poll(`two Pods with ${image}`, async () => {
        const found = await podsOf(image);
        return found.length === 2 ? found : undefined;
      });
      for (const pod of pods) {
        expect(pod.spec?.nodeName).toMatch(/^paved-node-\d+$/);
        expect(pod.status?.phase).toBe('Running');
        expect(
          pod.status?.conditions?.find(c => c.type === 'Ready')?.status,
        ).toBe('True');
        expect(pod.status?.containerStatuses?.[0]).toMatchObject({
          image,
          ready: true,
        });
        expect(pod.status?.podIP).toBeTruthy();
      }
    };

    await rolledOut('registry.local/hello:1.0.0');
    await expectRunningAndReady('registry.local/hello:1.0.0');

    // A new image rolls out a second ReplicaSet; the first is scaled to 0.
    await poll('the image change to be stored', async () => {
      const deployment = await apps.readNamespacedDeployment({
        name: 'hello',
        namespace,
      });
      const container = deployment.spec?.template.spec?.containers[0];
      if (!container) throw new Error('the Deployment has no container');
      container.image = 'registry.local/hello:1.1.0';
      try {
        return await apps.replaceNamespacedDeployment({
          name: 'hello',
          namespace,
          body: deployment,
        });
      } catch (error) {
        // The controller-manager updated the status in between: read and try again.
        if ((error as { code?: number }).code === 409) return undefined;
        throw error;
      }
    });
    await rolledOut('registry.local/hello:1.1.0');
    await expectRunningAndReady('registry.local/hello:1.1.0');
    const { items: replicaSets } = await apps.listNamespacedReplicaSet({
      namespace,
    });
    expect(
      replicaSets
        .map(rs => [
          rs.spec?.template?.spec?.containers[0].image,
          rs.status?.availableReplicas ?? 0,
          rs.spec?.replicas,
        ])
        .sort(),
    ).toEqual([
      ['registry.local/hello:1.0.0', 0, 0],
      ['registry.local/hello:1.1.0', 2, 2],
    ]);
    await poll('the old Pods to be gone', async () =>
      (await podsOf('registry.local/hello:1.0.0')).length === 0
        ? true
        : undefined,
    );
  });

  it("reads back a KV secret written with the portal's token, and refuses a token without the policy", async () => {
    const { address, token } = sandbox.platform.vault;
    const secretUrl = `${address}/v1/secret/data/${sandbox.vaultPath}/db`;
    const write = await fetch(secretUrl, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
      body: JSON.stringify({
        data: { username: 'orders', password: 's3cret' },
      }),
    });
    expect(write.status).toBe(200);
    const read = await fetch(secretUrl, {
      headers: { 'X-Vault-Token': token },
    });
    expect((await read.json()).data.data).toEqual({
      username: 'orders',
      password: 's3cret',
    });

    const created = await fetch(`${address}/v1/auth/token/create`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
      body: JSON.stringify({ policies: ['default'], ttl: '5m' }),
    });
    const weakToken = (await created.json()).auth.client_token;
    const refused = await fetch(secretUrl, {
      headers: { 'X-Vault-Token': weakToken },
    });
    expect(refused.status).toBe(403);
  });

  it('applies a module using the kubernetes, postgresql and vault providers offline, with state in PostgreSQL, and destroys it', async () => {
    const { tofu, vault, kubeconfigPath, postgresUrl } = sandbox.platform;
    const pg = new URL(postgresUrl);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paved-tofu-'));
    const roleName = `${sandbox.database.name}_app`;
    await writeFile(
      path.join(dir, 'main.tf'),
      `
terraform {
  backend "pg" {}
  required_providers {
    kubernetes = { source = "hashicorp/kubernetes" }
    postgresql = { source = "cyrilgdn/postgresql" }
    vault      = { source = "hashicorp/vault" }
    random     = { source = "hashicorp/random" }
  }
}
provider "kubernetes" {
  config_path = "${kubeconfigPath}"
}
provider "postgresql" {
  host      = "${pg.hostname}"
  port      = ${pg.port}
  username  = "${pg.username}"
  sslmode   = "disable"
  superuser = true
}
provider "vault" {
  address = "${vault.address}"
  token   = "${vault.token}"
}
resource "kubernetes_config_map" "settings" {
  metadata {
    name      = "settings"
    namespace = "${sandbox.namespace}"
  }
  data = { LOG_LEVEL = "info" }
}
resource "random_password" "db" {
  length  = 24
  special = false
}
resource "postgresql_role" "app" {
  name     = "${roleName}"
  login    = true
  password = random_password.db.result
}
resource "vault_kv_secret_v2" "db" {
  mount               = "secret"
  name                = "${sandbox.vaultPath}/tofu-db"
  delete_all_versions = true
  data_json = jsonencode({ username = postgresql_role.app.name, password = random_password.db.result })
}
`,
    );
    // One state per test, in its own workspace of the shared pg backend.
    const env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: tofu.cliConfig,
      TF_IN_AUTOMATION: '1',
      PG_CONN_STR: tofu.stateConnection,
    };
    const run = (...args: string[]) =>
      exec(tofu.binary, args, { cwd: dir, env });
    try {
      await run('init', '-input=false', '-no-color');
      await run('workspace', 'new', '-no-color', sandbox.id);
      const { stdout } = await run(
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
      );
      expect(stdout).toContain(
        'Apply complete! Resources: 4 added, 0 changed, 0 destroyed.',
      );

      const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
      const configMap = await core.readNamespacedConfigMap({
        name: 'settings',
        namespace: sandbox.namespace,
      });
      expect(configMap.data).toEqual({ LOG_LEVEL: 'info' });
      const secret = await fetch(
        `${vault.address}/v1/secret/data/${sandbox.vaultPath}/tofu-db`,
        {
          headers: { 'X-Vault-Token': vault.token },
        },
      );
      const credentials = (await secret.json()).data.data;
      const login = new Client({
        host: pg.hostname,
        port: Number(pg.port),
        user: credentials.username,
        password: credentials.password,
        database: 'postgres',
      });
      await login.connect();
      expect(
        (await login.query('SELECT current_user')).rows[0].current_user,
      ).toBe(roleName);
      await login.end();

      const state = new Client({
        connectionString: tofu.stateConnection.replace('?sslmode=disable', ''),
      });
      await state.connect();
      const { rows } = await state.query(
        'SELECT name FROM terraform_remote_state.states WHERE name = $1',
        [sandbox.id],
      );
      await state.end();
      expect(rows).toHaveLength(1);

      const destroyed = await run(
        'destroy',
        '-auto-approve',
        '-input=false',
        '-no-color',
      );
      expect(destroyed.stdout).toContain(
        'Destroy complete! Resources: 4 destroyed.',
      );
      await expect(
        core.readNamespacedConfigMap({
          name: 'settings',
          namespace: sandbox.namespace,
        }),
      ).rejects.toMatchObject({ code: 404 });
      const roles = new Client({ connectionString: postgresUrl });
      await roles.connect();
      const remaining = await roles.query(
        'SELECT 1 FROM pg_roles WHERE rolname = $1',
        [roleName],
      );
      await roles.end();
      expect(remaining.rows).toHaveLength(0);
    } finally {
      await run('workspace', 'select', 'default').catch(() => undefined);
      await run('workspace', 'delete', '-force', sandbox.id).catch(
        () => undefined,
      );
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

// Over 400 lines: one test per part of the local platform (the node with its Services and
// gateway, real failures, Vault, OpenTofu with its providers), each against the real part.
import http from 'node:http';
import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  createPlatformSandbox,
  PlatformSandbox,
  pushFixtureImage,
} from './testUtils';

// The local platform's acceptance checks (`yarn platform up`, which npm test runs):
// the real kube-apiserver + controller-manager + scheduler with a real node (containerd,
// kubelet, kube-proxy, CoreDNS), the registry, Vault, PostgreSQL and OpenTofu.
const exec = promisify(execFile);
const nodeName = `paved-${process.env.PAVED_NODE_INSTANCE ?? 'dev'}`;

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/** GET url's JSON body, or undefined while it does not answer 200. */
async function getJson(url: string): Promise<any> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

describe('the local platform', () => {
  let sandbox: PlatformSandbox;
  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
  });
  afterAll(() => sandbox?.cleanup());

  it('runs a Deployment of an image from the registry on the real node: Ready Pods answer on their IPs and the ClusterIP from the host, and again after an image change', async () => {
    const apps = sandbox.kubeConfig.makeApiClient(AppsV1Api);
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = sandbox.namespace;
    const repo = `tests/${sandbox.id}/hello`;
    const v1 = await pushFixtureImage(repo, '1.0.0', 'ok', {
      version: '1.0.0',
    });
    const v2 = await pushFixtureImage(repo, '1.1.0', 'ok', {
      version: '1.1.0',
    });
    expect(v1.image).toBe(`registry.paved.local/${repo}:1.0.0`);
    expect(v2.digest).not.toBe(v1.digest);

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
              terminationGracePeriodSeconds: 5,
              containers: [
                {
                  name: 'hello',
                  image: v1.image,
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: {
                    httpGet: { path: '/readyz', port: 8080 },
                    periodSeconds: 1,
                  },
                },
              ],
            },
          },
        },
      },
    });
    const service = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'hello' },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const clusterIP = service.spec?.clusterIP;
    expect(clusterIP).toBeTruthy();

    // Rolled out: the controller-manager has seen the latest spec and every replica is
    // updated and available (the scheduler binds the Pods, the kubelet runs them and
    // their readiness probe passes).
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
    const expectServing = async (image: string, version: string) => {
      // Pods of the old ReplicaSet may still be on their way out.
      const pods = await poll(`two Pods with ${image}`, async () => {
        const found = (await podsOf(image)).filter(
          p => !p.metadata?.deletionTimestamp,
        );
        return found.length === 2 ? found : undefined;
      });
      for (const pod of pods) {
        expect(pod.spec?.nodeName).toBe(nodeName);
        expect(pod.status?.phase).toBe('Running');
        expect(
          pod.status?.conditions?.find(c => c.type === 'Ready')?.status,
        ).toBe('True');
        // The status names the image by any tag containerd holds for the same content (another
        // test may have pushed the same fixture under another name): its digest is what counts.
        expect(pod.status?.containerStatuses?.[0]).toMatchObject({
          ready: true,
          restartCount: 0,
        });
        // pulled from the registry: containerd knows its digest
        expect(pod.status?.containerStatuses?.[0].imageID).toMatch(
          /@sha256:[0-9a-f]{64}$/,
        );
        // The host reaches each Pod's IP (routed to the node's network namespace).
        expect(
          await getJson(`http://${pod.status?.podIP}:8080/healthz`),
        ).toEqual({ status: 'ok', version });
      }
      // ... and the Service's ClusterIP (kube-proxy's rules, once they are synced).
      await poll(
        `http://${clusterIP}/healthz to answer ${version}`,
        async () => {
          const body = await getJson(`http://${clusterIP}/healthz`);
          return body?.version === version ? body : undefined;
        },
      );
    };

    await rolledOut(v1.image);
    await expectServing(v1.image, '1.0.0');

    // The gateway: http://<service>.<namespace>.localhost:<port> on loopback
    // reaches the Service (the Host header routes it, as a browser sends it).
    const gateway = new URL(
      sandbox.platform
        .gateway!.url.replace('{service}', 'hello')
        .replace('{namespace}', namespace),
    );
    const viaGateway = (host: string, route = '/healthz') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get(
            {
              host: '127.0.0.1',
              port: gateway.port,
              path: route,
              headers: { host },
            },
            res => {
              let body = '';
              res.on('data', c => (body += c));
              res.on('end', () => resolve({ status: res.statusCode!, body }));
            },
          )
          .on('error', reject);
      });
    expect(await viaGateway(gateway.host)).toEqual({
      status: 200,
      body: expect.stringContaining('"version":"1.0.0"'),
    });
    const nowhere = await viaGateway(`nowhere.${namespace}.localhost`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.body).toContain(
      `There is no Service nowhere in namespace ${namespace}`,
    );

    // A new image rolls out a second ReplicaSet; the first is scaled to 0.
    await poll('the image change to be stored', async () => {
      const deployment = await apps.readNamespacedDeployment({
        name: 'hello',
        namespace,
      });
      const container = deployment.spec?.template.spec?.containers[0];
      if (!container) throw new Error('the Deployment has no container');
      container.image = v2.image;
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
    await rolledOut(v2.image);
    await expectServing(v2.image, '1.1.0');
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
      [v1.image, 0, 0],
      [v2.image, 2, 2],
    ]);
    await poll('the old Pods to be gone', async () =>
      (await podsOf(v1.image)).length === 0 ? true : undefined,
    );
  }, 180_000);

  it('shows real failures: a missing image is ErrImagePull, a crashing container restarts with BackOff, an unready one never gets Ready', async () => {
    const core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = sandbox.namespace;
    const repo = `tests/${sandbox.id}/broken`;
    const crash = await pushFixtureImage(repo, 'crash', 'crash');
    const unready = await pushFixtureImage(repo, 'unready', 'unready');
    const pod = (name: string, image: string): V1Pod => ({
      metadata: { name },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image,
            readinessProbe: {
              httpGet: { path: '/readyz', port: 8080 },
              periodSeconds: 1,
            },
          },
        ],
      },
    });
    for (const [name, image] of [
      ['missing', `registry.paved.local/${repo}:does-not-exist`],
      ['crash', crash.image],
      ['unready', unready.image],
    ]) {
      await core.createNamespacedPod({ namespace, body: pod(name, image) });
    }
    const status = async (name: string) =>
      (await core.readNamespacedPod({ name, namespace })).status;

    const pullError = await poll(
      'the missing image to fail its pull',
      async () => {
        const reason = (await status('missing'))?.containerStatuses?.[0]?.state
          ?.waiting?.reason;
        return reason === 'ErrImagePull' || reason === 'ImagePullBackOff'
          ? reason
          : undefined;
      },
    );
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(pullError);

    // On 1.37 CrashLoopBackOff shows only for an instant: restarts, the last
    // termination and the kubelet's BackOff events tell a crash loop.
    const crashed = await poll(
      'the crashing container to restart',
      async () => {
        const container = (await status('crash'))?.containerStatuses?.[0];
        return (container?.restartCount ?? 0) >= 2 ? container : undefined;
      },
      90_000,
    );
    expect(crashed.lastState?.terminated?.exitCode).toBe(1);
    await poll('a BackOff event for the crashing Pod', async () => {
      const { items } = await core.listNamespacedEvent({
        namespace,
        fieldSelector: 'involvedObject.name=crash,reason=BackOff',
      });
      return items.length > 0 ? items : undefined;
    });

    const notReady = await status('unready');
    expect(notReady?.phase).toBe('Running');
    expect(notReady?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      restartCount: 0,
    });
    expect(notReady?.containerStatuses?.[0].state?.running).toBeTruthy();
  }, 150_000);

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

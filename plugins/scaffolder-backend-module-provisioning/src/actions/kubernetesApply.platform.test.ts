import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { VaultClient } from '@paved/plugin-provisioning-node';
import {
  clustersFor,
  createPlatformSandbox,
  PlatformSandbox,
  pushFixtureImage,
  unreachableKubeConfig,
} from '@paved/plugin-provisioning-node/testUtils';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contextWithLog, outputOf } from '../__testUtils__/context';
import { createKubernetesApplyAction } from './kubernetesApply';

// Against the local platform's real kube-apiserver, node, registry and Vault
// (npm test brings them up); the image is the registry's fixture HTTP server.
const manifests = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  labels: { app.kubernetes.io/name: orders-api }
spec:
  replicas: 1
  selector:
    matchLabels: { app.kubernetes.io/name: orders-api }
  template:
    metadata:
      labels: { app.kubernetes.io/name: orders-api }
    spec:
      containers:
        - name: orders-api
          image: ${image}
          envFrom:
            - secretRef: { name: orders-api-secrets }
---
apiVersion: v1
kind: Service
metadata:
  name: orders-api
spec:
  selector: { app.kubernetes.io/name: orders-api }
  ports: [{ port: 80, targetPort: 8080 }]
`;

describe('paved:kubernetes:apply', () => {
  let sandbox: PlatformSandbox;
  let workspace: string;
  let vault: VaultClient;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const action = () =>
    createKubernetesApplyAction({
      clusters: clustersFor({ local: sandbox.kubeConfig }),
      vault,
    });
  const input = () => ({
    namespace: sandbox.namespace,
    secretFromVault: { name: 'orders-api-secrets', path: sandbox.vaultPath },
    timeoutSeconds: 90,
  });

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    await pushFixtureImage('orders-api', '0.1.0');
    vault = new VaultClient(sandbox.platform.vault);
    core = sandbox.kubeConfig.makeApiClient(CoreV1Api);
    apps = sandbox.kubeConfig.makeApiClient(AppsV1Api);
    await vault.kv('secret', 2).write(`${sandbox.vaultPath}/database`, {
      url: 'postgres://orders:hunter2-db@db/orders',
      password: 'hunter2-db',
    });
    await vault
      .kv('secret', 2)
      .write(`${sandbox.vaultPath}/app`, { SESSION_SECRET: 'hunter2-app' });
    workspace = await mkdtemp(path.join(os.tmpdir(), 'paved-k8s-action-'));
    await mkdir(path.join(workspace, 'deploy/kubernetes'), { recursive: true });
    await writeFile(
      path.join(workspace, 'deploy/kubernetes/app.yaml'),
      manifests('registry.paved.local/orders-api:0.1.0'),
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it('dry-runs into a namespace that does not exist yet and creates nothing', async () => {
    const namespace = `${sandbox.namespace}-new`;
    const { ctx, log, output } = contextWithLog(
      // `image` replaces the manifest's, as Create Service does with its first build.
      {
        ...input(),
        namespace,
        image: 'registry.paved.local/orders-api:built-abc',
      },
      { isDryRun: true, workspacePath: workspace },
    );
    await action().handler(ctx);
    expect(outputOf(output, 'objects')).toEqual([
      { kind: 'Namespace', name: namespace, outcome: 'created' },
      { kind: 'Secret', name: 'orders-api-secrets', outcome: 'created' },
      { kind: 'Deployment', name: 'orders-api', outcome: 'created' },
      { kind: 'Service', name: 'orders-api', outcome: 'created' },
    ]);
    expect(log.join('\n')).toContain(
      '+ spec.template.spec.containers[0].image: "registry.paved.local/orders-api:built-abc"',
    );
    await expect(core.readNamespace({ name: namespace })).rejects.toMatchObject(
      { code: 404 },
    );
    expect(log.join('\n')).not.toMatch(/hunter2/);
  });

  it('applies the manifests with a Secret from Vault, waits for the rollout, and is unchanged on re-run', async () => {
    const first = contextWithLog(input(), { workspacePath: workspace });
    await action().handler(first.ctx);
    const secret = await core.readNamespacedSecret({
      name: 'orders-api-secrets',
      namespace: sandbox.namespace,
    });
    const decoded = Object.fromEntries(
      Object.entries(secret.data!).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString(),
      ]),
    );
    expect(decoded).toEqual({
      APP_SESSION_SECRET: 'hunter2-app',
      DATABASE_PASSWORD: 'hunter2-db',
      DATABASE_URL: 'postgres://orders:hunter2-db@db/orders',
    });
    expect(secret.metadata?.annotations?.['paved.dev/vault-path']).toBe(
      `secret/${sandbox.vaultPath}`,
    );
    const deployment = await apps.readNamespacedDeployment({
      name: 'orders-api',
      namespace: sandbox.namespace,
    });
    expect(deployment.status?.availableReplicas).toBe(1);
    expect(first.log.join('\n')).toContain(
      'keys APP_SESSION_SECRET, DATABASE_PASSWORD, DATABASE_URL (values are not shown)',
    );
    expect(first.log.join('\n')).toMatch(
      /orders-api runs registry\.paved\.local\/orders-api:0\.1\.0/,
    );
    expect(first.log.join('\n')).not.toMatch(/hunter2/);

    const again = contextWithLog(input(), { workspacePath: workspace });
    await action().handler(again.ctx);
    expect(
      (outputOf(again.output, 'objects') as { outcome: string }[]).map(
        o => o.outcome,
      ),
    ).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  }, 120_000);

  it('names the field when the manifests are missing or malformed', async () => {
    const { ctx } = contextWithLog(
      { ...input(), manifests: 'deploy/nowhere' },
      { workspacePath: workspace },
    );
    await expect(action().handler(ctx)).rejects.toThrow(InputError);
    await expect(action().handler(ctx)).rejects.toThrow(
      /manifests: .*deploy\/nowhere does not exist/,
    );
    await writeFile(path.join(workspace, 'broken.yaml'), 'kind: [unclosed');
    const broken = contextWithLog(
      { ...input(), manifests: 'broken.yaml' },
      { workspacePath: workspace },
    );
    await expect(action().handler(broken.ctx)).rejects.toThrow(
      /manifests: broken.yaml is not valid YAML/,
    );
  });

  it('fails with a 503-class error and a re-run hint when the apiserver is down', async () => {
    const kubeConfig = unreachableKubeConfig();
    const { ctx, log } = contextWithLog(input(), { workspacePath: workspace });
    await expect(
      createKubernetesApplyAction({
        clusters: clustersFor({ down: kubeConfig }),
        vault,
      }).handler(ctx),
    ).rejects.toThrow(ServiceUnavailableError);
    expect(log.join('\n')).toContain(
      'run it again with the same inputs to finish',
    );
  });

  it('refuses an environment that paved.environments does not have, naming the field', async () => {
    const { ctx } = contextWithLog(
      { ...input(), environment: 'qa' },
      { workspacePath: workspace },
    );
    const failure = action().handler(ctx);
    await expect(failure).rejects.toThrow(InputError);
    await expect(failure).rejects.toThrow(
      'environment: no environment qa; paved.environments has staging, production',
    );
  });
});

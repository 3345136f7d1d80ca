import { InputError } from '@backstage/errors';
import { CoreV1Api } from '@kubernetes/client-node';
import { DefaultTofuRunner, tofuEnvFor } from '@paved/plugin-provisioning-node';
import {
  clustersFor,
  createPlatformSandbox,
  PlatformSandbox,
} from '@paved/plugin-provisioning-node/testUtils';
import path from 'node:path';
import { contextWithLog, outputOf } from '../__testUtils__/context';
import { createTofuApplyAction } from './tofuApply';
import { modulesDirectory, tofuConfigFor } from '../__testUtils__/tofu';

// Runs the platform team's real modules (templates/modules) with the real
// OpenTofu against the local platform (npm test brings it up).

describe('paved:tofu:apply', () => {
  let sandbox: PlatformSandbox;
  let runner: DefaultTofuRunner;
  const namespaces = () => ({ staging: `${sandbox.id}-staging` });
  const input = () => ({
    module: 'service-namespace',
    workspace: sandbox.id,
    variables: {
      service: sandbox.id,
      owner: 'group:default/storefront-team',
      tier: 'experimental',
      namespaces: namespaces(),
    },
  });
  const action = () =>
    createTofuApplyAction({
      runner,
      clusters: clustersFor({ local: sandbox.kubeConfig }),
      modulesDirectory,
      moduleDefaults: { 'service-namespace': { tier: 'critical' } },
    });

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    const { platform } = sandbox;
    runner = DefaultTofuRunner.fromConfig(tofuConfigFor(platform));
  });
  afterAll(async () => {
    await runner
      .destroy({
        moduleDir: path.join(modulesDirectory, 'service-namespace'),
        workspace: sandbox.id,
        stateSchema: 'tofu_service_namespace',
        variables: input().variables,
        // The runner has no default cluster: the action gave its runs theirs.
        providerEnv: tofuEnvFor(
          clustersFor({ local: sandbox.kubeConfig }).details('local'),
        ),
      })
      .catch(() => undefined);
    await sandbox?.cleanup();
  }, 60_000);

  it('prints the plan in a dry run and creates nothing', async () => {
    const { ctx, log, output } = contextWithLog(input(), { isDryRun: true });
    await action().handler(ctx);
    expect(log).toContain(
      'Dry run: planning module service-namespace in workspace ' +
        `${sandbox.id} on cluster local; nothing is applied`,
    );
    expect(log.join('\n')).toMatch(/\+ create kubernetes_namespace/);
    expect(outputOf(output, 'plan')).toMatchObject({ change: 0, destroy: 0 });
    await expect(
      sandbox.kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespace({ name: namespaces().staging }),
    ).rejects.toMatchObject({ code: 404 });
  }, 60_000);

  it("applies, returns the module's outputs, and changes nothing on re-run", async () => {
    const first = contextWithLog(input());
    await action().handler(first.ctx);
    expect(outputOf(first.output, 'outputs')).toMatchObject({
      namespaces: namespaces(),
      service_account: sandbox.id,
    });
    const quota = await sandbox.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedResourceQuota({
        name: 'paved-quota',
        namespace: namespaces().staging,
      });
    // The template's tier wins over the platform's default for the module.
    expect(quota.metadata?.labels?.['paved.dev/tier']).toBe('experimental');

    const again = contextWithLog(input());
    await action().handler(again.ctx);
    expect(outputOf(again.output, 'plan')).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
    });
  }, 120_000);

  it('withholds sensitive outputs: named, never printed or returned', async () => {
    const workspace = `${sandbox.id}-db`;
    const run = {
      module: 'postgres-database',
      workspace,
      variables: {
        service: sandbox.id,
        database_name: `${sandbox.id}_db`,
        host: '127.0.0.1',
        port: 5432,
        vault_path: `${sandbox.vaultPath}/database`,
      },
    };
    const { ctx, log, output } = contextWithLog(run);
    try {
      await action().handler(ctx);
      expect(outputOf(output, 'sensitiveOutputs')).toEqual(['password']);
      expect(outputOf(output, 'outputs')).not.toHaveProperty('password');
      expect(log.join('\n')).toContain('withheld as sensitive: password');
      const stored = await runner.outputs({
        moduleDir: path.join(modulesDirectory, 'postgres-database'),
        workspace,
        stateSchema: 'tofu_postgres_database',
      });
      const password = stored!.password.value as string;
      expect(log.join('\n')).not.toContain(password);
      expect(JSON.stringify(output.mock.calls)).not.toContain(password);
    } finally {
      await runner.destroy({
        moduleDir: path.join(modulesDirectory, 'postgres-database'),
        workspace,
        stateSchema: 'tofu_postgres_database',
        variables: run.variables,
      });
    }
  }, 120_000);

  it('names the field when the module is unknown or a variable is wrong', async () => {
    const unknown = contextWithLog({ ...input(), module: 'mainframe' });
    await expect(action().handler(unknown.ctx)).rejects.toThrow(InputError);
    await expect(action().handler(unknown.ctx)).rejects.toThrow(
      'module: unknown module "mainframe"; available: postgres-database, service-namespace, vault-secret',
    );
    const badTier = contextWithLog({
      ...input(),
      variables: { ...input().variables, tier: 'gold' },
    });
    await expect(action().handler(badTier.ctx)).rejects.toThrow(/tier/);
  }, 60_000);
});

import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import {
  DefaultTofuRunner,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import {
  clustersFor,
  createPlatformSandbox,
  PlatformSandbox,
} from '@paved/plugin-provisioning-node/testUtils';
import { exampleInputs } from '@paved/plugin-scaffolder-node/testUtils';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contextWithLog } from '../__testUtils__/context';
import { moduleDefaults } from '../module';
import { createKubernetesApplyAction } from './kubernetesApply';
import { examples as kubernetesApplyExamples } from './kubernetesApply.examples';
import { createTofuApplyAction } from './tofuApply';
import { examples as tofuApplyExamples } from './tofuApply.examples';
import { createVaultWriteAction } from './vaultWrite';
import { examples as vaultWriteExamples } from './vaultWrite.examples';
import { modulesDirectory, tofuConfigFor } from '../__testUtils__/tofu';

// Every example of the actions that need the platform runs here, as a dry run: the real
// Vault, the apiserver's server-side dry run and OpenTofu's plan judge it, and nothing is
// changed (the actions' own tests apply for real). The fast actions run theirs in x.test.ts.

// An OpenTofu plan (init, providers, refresh) takes seconds, and a minute on 2 busy cores.
jest.setTimeout(120_000);

describe('the provisioning actions run their examples (dry run)', () => {
  let sandbox: PlatformSandbox;
  let vault: VaultClient;
  let workspacePath: string;
  const values = () => ({
    'parameters.name': sandbox.id,
    'parameters.owner': 'group:default/storefront-team',
    'parameters.tier': 'experimental',
    'steps.environments.output.namespaces': { staging: sandbox.namespace },
    'steps.environments.output.namespaces.staging': sandbox.namespace,
  });

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    vault = new VaultClient(sandbox.platform.vault);
    workspacePath = await mkdtemp(path.join(os.tmpdir(), 'paved-examples-'));
    await mkdir(path.join(workspacePath, 'deploy', 'kubernetes'), {
      recursive: true,
    });
    await writeFile(
      path.join(workspacePath, 'deploy', 'kubernetes', 'deployment.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: example }
spec:
  selector: { matchLabels: { app: example } }
  template:
    metadata: { labels: { app: example } }
    spec:
      containers: [{ name: example, image: registry.paved.local/example:1 }]
`,
    );
  });
  // The inputs need the sandbox, which exists only once the tests run.
  const descriptions = (examples: TemplateExample[]) =>
    examples.map(e => e.description);
  const inputOf = (
    examples: TemplateExample[],
    actionId: string,
    description: string,
  ) =>
    exampleInputs(
      examples.filter(e => e.description === description),
      actionId,
      values(),
    )[0][1];

  afterAll(async () => {
    await rm(workspacePath, { recursive: true, force: true });
    await sandbox?.cleanup();
  });

  it.each(descriptions(vaultWriteExamples))(
    'paved:vault:write: %s',
    async description => {
      const input = inputOf(
        vaultWriteExamples,
        'paved:vault:write',
        description,
      );
      const { ctx, log } = contextWithLog(input, { isDryRun: true });
      await createVaultWriteAction({ vault }).handler(ctx);
      expect(log.join('\n')).toContain('Dry run');
      await expect(
        vault.kv('secret', 2).read(input.path as string),
      ).resolves.toBeUndefined();
    },
  );

  it.each(descriptions(kubernetesApplyExamples))(
    'paved:kubernetes:apply: %s',
    async description => {
      const input = inputOf(
        kubernetesApplyExamples,
        'paved:kubernetes:apply',
        description,
      );
      const { ctx, log } = contextWithLog(input, {
        isDryRun: true,
        workspacePath,
      });
      await createKubernetesApplyAction({
        clusters: clustersFor({ local: sandbox.kubeConfig }),
        vault,
      }).handler(ctx);
      expect(log.join('\n')).toMatch(
        /Deployment \S+\/example (created|configured)/,
      );
    },
  );

  it.each(descriptions(tofuApplyExamples))(
    'paved:tofu:apply: %s',
    async description => {
      const input = inputOf(tofuApplyExamples, 'paved:tofu:apply', description);
      const { platform } = sandbox;
      const config = tofuConfigFor(platform);
      const runner = DefaultTofuRunner.fromConfig(config);
      const { ctx, log } = contextWithLog(input, { isDryRun: true });
      await createTofuApplyAction({
        runner,
        clusters: clustersFor({ local: sandbox.kubeConfig }),
        modulesDirectory,
        moduleDefaults: moduleDefaults(config),
      }).handler(ctx);
      expect(log.join('\n')).toContain('nothing is applied');
    },
  );
});

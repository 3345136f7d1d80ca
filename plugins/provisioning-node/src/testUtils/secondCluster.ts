import { KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadLocalPlatform } from './localPlatform';

const exec = promisify(execFile);

/** A second real cluster beside the local platform's (`platform.sh second-cluster`). */
export interface SecondCluster {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** Its one node, e.g. paved-testb: the Pods scheduled here run on it. */
  nodeName: string;
  /** Stops its node and control plane (`platform.sh second-cluster down`). */
  stop(): Promise<void>;
}

function repoRoot() {
  // Test utilities run from source, where __dirname is this directory.
  // eslint-disable-next-line no-restricted-syntax
  return process.env.PAVED_ROOT ?? path.resolve(__dirname, '../../../..');
}

async function platformSh(...args: string[]) {
  const root = repoRoot();
  try {
    return await exec(
      'bash',
      [path.join(root, 'scripts/platform/platform.sh'), ...args],
      {
        cwd: root,
        env: { ...process.env, PAVED_ROOT: root },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `platform.sh ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

/**
 * Starts a second cluster (etcd, kube-apiserver, controller-manager,
 * scheduler and a real node with its own run dir, ports and subnets, from
 * the PAVED_SECOND_* variables that scripts/test.sh sets per test instance),
 * whose node pulls from the local platform's registry. Takes about a minute;
 * call `stop()` afterwards.
 */
export async function startSecondCluster(): Promise<SecondCluster> {
  loadLocalPlatform(); // fails in the fast tier, naming the suffix
  if (!process.env.PAVED_SECOND_KUBE_PORT) {
    throw new Error(
      'startSecondCluster: PAVED_SECOND_* are not set; run the test with npm test (scripts/test.sh sets them)',
    );
  }
  await platformSh('second-cluster', 'up');
  const run = path.join(
    process.env.PAVED_RUN ?? path.join(repoRoot(), '.paved/run'),
    'second-cluster',
  );
  const kubeconfigPath = path.join(run, 'kubeconfig');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    kubeConfig,
    kubeconfigPath,
    nodeName: `paved-${process.env.PAVED_SECOND_NODE_INSTANCE}`,
    stop: async () => {
      await platformSh('second-cluster', 'down');
    },
  };
}

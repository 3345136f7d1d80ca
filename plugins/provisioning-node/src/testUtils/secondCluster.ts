import { KubeConfig } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
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
  /** Where its pods reach the platform's PostgreSQL: its node's own relay (docs/decisions/0018). */
  databaseAddress: { host: string; port: number };
  /**
   * Stops its node and control plane (`platform.sh second-cluster down`),
   * unless another test file (a parallel Jest worker) still uses it.
   */
  stop(): Promise<void>;
}

function repoRoot() {
  // Test utilities run from source, where __dirname is this directory.
  // eslint-disable-next-line no-restricted-syntax
  return process.env.PAVED_ROOT ?? path.resolve(__dirname, '../../../..');
}

/**
 * Runs `script` with bash under an exclusive lock of the second cluster's
 * run dir: test files in parallel workers share one second cluster, and the
 * last one to stop it stops it.
 */
async function locked(script: string, ...args: string[]) {
  const root = repoRoot();
  const dir = runDir();
  await mkdir(path.join(dir, 'users'), { recursive: true });
  try {
    return await exec(
      'flock',
      // -o: the lock is not inherited by what `up` starts (etcd, kubelet, ...),
      // which outlive the command.
      ['-o', path.join(dir, 'lock'), 'bash', '-c', script, 'locked', ...args],
      {
        cwd: root,
        env: { ...process.env, PAVED_ROOT: root },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `platform.sh second-cluster failed:\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

function runDir() {
  return path.join(
    process.env.PAVED_RUN ?? path.join(repoRoot(), '.paved/run'),
    'second-cluster',
  );
}

/**
 * Starts a second cluster (etcd, kube-apiserver, controller-manager,
 * scheduler and a real node with its own run dir, ports and subnets, from
 * the PAVED_SECOND_* variables that scripts/test.sh sets per test instance),
 * whose node pulls from the local platform's registry. Takes about 15 s
 * with the binaries cached; call `stop()` afterwards.
 */
export async function startSecondCluster(): Promise<SecondCluster> {
  loadLocalPlatform(); // fails in the fast tier, naming the suffix
  if (!process.env.PAVED_SECOND_KUBE_PORT) {
    throw new Error(
      'startSecondCluster: PAVED_SECOND_* are not set; run the test with npm test (scripts/test.sh sets them)',
    );
  }
  const user = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // Registered before `up`, so that another file's stop() leaves it running.
  await locked(
    'touch "$1/users/$2" && bash "$3/scripts/platform/platform.sh" second-cluster up',
    runDir(),
    user,
    repoRoot(),
  );
  const kubeconfigPath = path.join(runDir(), 'kubeconfig');
  const [host, port] = (
    await readFile(path.join(runDir(), 'postgres-address'), 'utf8')
  )
    .trim()
    .split(':');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    kubeConfig,
    kubeconfigPath,
    nodeName: `paved-${process.env.PAVED_SECOND_NODE_INSTANCE}`,
    databaseAddress: { host, port: Number(port) },
    stop: async () => {
      await locked(
        'rm -f "$1/users/$2"; [ -n "$(ls -A "$1/users")" ] || bash "$3/scripts/platform/platform.sh" second-cluster down',
        runDir(),
        user,
        repoRoot(),
      );
    },
  };
}

import { ConfigReader } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InMemoryKubernetesClient } from '../testUtils';
import {
  DefaultKubernetesClusters,
  kubeConfigFor,
  readClusters,
  tofuEnvFor,
} from './clusters';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const environments = (stagingCluster: string, productionCluster: string) => [
  {
    name: 'staging',
    cluster: stagingCluster,
    namespacePattern: '{service}-staging',
  },
  {
    name: 'production',
    cluster: productionCluster,
    namespacePattern: '{service}-production',
    requiresApproval: true,
  },
];

const cluster = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  url: `https://${name}.example:6443`,
  authProvider: 'serviceAccount',
  serviceAccountToken: `token-of-${name}`,
  caData: Buffer.from(PEM).toString('base64'),
  ...extra,
});

const config = (
  clusters: unknown[],
  envs = environments('local', 'local'),
  extraMethods: unknown[] = [],
) =>
  new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [...extraMethods, { type: 'config', clusters }],
    },
    paved: { environments: envs },
  } as any);

describe('DefaultKubernetesClusters', () => {
  it('fails naming the environment, its cluster and where to configure it when the cluster is not configured', () => {
    const make = () =>
      DefaultKubernetesClusters.fromConfig(
        config([cluster('local')], environments('local', 'prod-eu')),
      );
    expect(make).toThrow(InputError);
    expect(make).toThrow(
      'paved.environments: environment production runs on cluster prod-eu, which is not configured; add it to kubernetes.clusterLocatorMethods',
    );
    expect(make).toThrow('Configured clusters: local');
  });

  it('gives each environment the client of its own cluster', () => {
    const made: string[] = [];
    const clusters = new DefaultKubernetesClusters(
      [
        ...environments('staging-cluster', 'production-cluster').map(e => ({
          ...e,
          requiresApproval: Boolean(e.requiresApproval),
          autoRollback: true,
        })),
      ],
      readClusters(
        config([cluster('staging-cluster'), cluster('production-cluster')]),
      ),
      details => {
        made.push(details.name);
        return new InMemoryKubernetesClient();
      },
    );
    const staging = clusters.forEnvironment('staging');
    const production = clusters.forEnvironment('production');
    expect(staging).not.toBe(production);
    expect(clusters.forCluster('staging-cluster')).toBe(staging);
    expect(made).toEqual(['staging-cluster', 'production-cluster']);
    expect(() => clusters.forEnvironment('qa')).toThrow(NotFoundError);
    expect(() => clusters.forCluster('elsewhere')).toThrow(NotFoundError);
  });

  it('reads only clusters of type config, with their CA from caData or caFile', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paved-clusters-'));
    try {
      const caFile = path.join(dir, 'ca.crt');
      await writeFile(caFile, PEM);
      const clusters = readClusters(
        config(
          [
            cluster('a'),
            cluster('b', { caData: undefined, caFile }),
            cluster('c', { caData: undefined, skipTLSVerify: true }),
          ],
          environments('a', 'b'),
          [{ type: 'catalog' }],
        ),
      );
      expect(clusters.map(c => [c.name, c.caPem, c.skipTLSVerify])).toEqual([
        ['a', PEM, false],
        ['b', PEM, false],
        ['c', undefined, true],
      ]);
      const kubeConfig = kubeConfigFor(clusters[0]);
      expect(kubeConfig.getCurrentCluster()?.server).toBe(
        'https://a.example:6443',
      );
      expect(kubeConfig.getCurrentUser()?.token).toBe('token-of-a');
      expect(tofuEnvFor(clusters[0])).toEqual({
        KUBE_HOST: 'https://a.example:6443',
        KUBE_TOKEN: 'token-of-a',
        KUBE_CLUSTER_CA_CERT_DATA: PEM,
      });
      expect(tofuEnvFor(clusters[2])).toMatchObject({ KUBE_INSECURE: 'true' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a cluster Paved cannot act on as a service account', () => {
    expect(() =>
      readClusters(
        config([
          cluster('oidc', {
            authProvider: 'oidc',
            serviceAccountToken: undefined,
          }),
        ]),
      ),
    ).toThrow(
      'cluster oidc has authProvider oidc and no serviceAccountToken; Paved deploys with a service account',
    );
  });
});

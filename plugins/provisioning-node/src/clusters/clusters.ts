import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { Environment, readEnvironments } from '../environments';
import { DefaultKubernetesClient, KubernetesClient } from '../kubernetes';

/**
 * A cluster Paved deploys into, as Backstage's Kubernetes plugin configures
 * it: an entry of `kubernetes.clusterLocatorMethods` of `type: config`.
 */
export interface ClusterDetails {
  name: string;
  /** The apiserver, e.g. https://127.0.0.1:16443 */
  url: string;
  /** The bearer token Paved acts with (`authProvider: serviceAccount`). */
  serviceAccountToken: string;
  /** The CA that signed the apiserver's certificate, PEM. */
  caPem?: string;
  /** `skipTLSVerify: true`: the certificate is not checked. */
  skipTLSVerify: boolean;
}

/** Where a cluster is configured, for error messages. */
const WHERE =
  'kubernetes.clusterLocatorMethods (an entry of type: config, clusters: [{name, url, authProvider: serviceAccount, serviceAccountToken, caData or caFile}])';

/**
 * Every cluster of `kubernetes.clusterLocatorMethods` entries of `type: config`
 * (the Kubernetes plugin's own config, so a company configures a cluster once).
 * Paved acts as the cluster's service account: `authProvider: serviceAccount`
 * with a `serviceAccountToken`.
 */
export function readClusters(config: Config): ClusterDetails[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  return methods
    .filter(method => method.getString('type') === 'config')
    .flatMap(method => method.getOptionalConfigArray('clusters') ?? [])
    .map(cluster => {
      const name = cluster.getString('name');
      const authProvider = cluster.getString('authProvider');
      const token =
        cluster.getOptionalString('serviceAccountToken') ??
        cluster.getOptionalString('authMetadata.serviceAccountToken');
      if (authProvider !== 'serviceAccount' || !token) {
        throw new InputError(
          `kubernetes.clusterLocatorMethods: cluster ${name} has authProvider ${authProvider}${
            token ? '' : ' and no serviceAccountToken'
          }; Paved deploys with a service account: set authProvider: serviceAccount and serviceAccountToken`,
        );
      }
      const caData = cluster.getOptionalString('caData');
      const caFile = cluster.getOptionalString('caFile');
      let caPem: string | undefined;
      if (caData) caPem = Buffer.from(caData, 'base64').toString('utf8');
      else if (caFile) {
        try {
          caPem = readFileSync(caFile, 'utf8');
        } catch (error) {
          throw new InputError(
            `kubernetes.clusterLocatorMethods: caFile ${caFile} of cluster ${name} cannot be read: ${
              (error as Error).message
            }`,
          );
        }
      }
      return {
        name,
        url: cluster.getString('url'),
        serviceAccountToken: token,
        caPem,
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      };
    });
}

/** A kubeconfig (for @kubernetes/client-node) that reaches the cluster as Paved. */
export function kubeConfigFor(cluster: ClusterDetails): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caPem && Buffer.from(cluster.caPem).toString('base64'),
        skipTLSVerify: cluster.skipTLSVerify,
      },
    ],
    users: [{ name: 'paved', token: cluster.serviceAccountToken }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'paved' }],
    currentContext: cluster.name,
  });
  return kubeConfig;
}

/**
 * The Kubernetes provider's environment for OpenTofu (hashicorp/kubernetes
 * reads KUBE_HOST, KUBE_TOKEN, KUBE_CLUSTER_CA_CERT_DATA, KUBE_INSECURE), so
 * that a module's `provider "kubernetes" {}` targets this cluster.
 */
export function tofuEnvFor(cluster: ClusterDetails): Record<string, string> {
  return {
    KUBE_HOST: cluster.url,
    KUBE_TOKEN: cluster.serviceAccountToken,
    ...(cluster.caPem ? { KUBE_CLUSTER_CA_CERT_DATA: cluster.caPem } : {}),
    ...(cluster.skipTLSVerify ? { KUBE_INSECURE: 'true' } : {}),
  };
}

/**
 * The clusters Paved deploys into, one Kubernetes client each: every
 * environment runs on the cluster its `cluster` names.
 */
export interface KubernetesClusters {
  /** The environments, in promotion order (`paved.environments`). */
  environments(): Environment[];
  /** The client of the environment's cluster; a NotFoundError for an unknown environment. */
  forEnvironment(environment: string): KubernetesClient;
  /** The client of a cluster by name; a NotFoundError for an unknown cluster. */
  forCluster(cluster: string): KubernetesClient;
  /** How to reach a cluster (e.g. for OpenTofu's Kubernetes provider); a NotFoundError for an unknown cluster. */
  details(cluster: string): ClusterDetails;
}

/** Throws, naming the environment, its cluster and where to configure it, unless every environment's cluster is configured. */
export function assertClustersConfigured(
  environments: Environment[],
  clusters: ClusterDetails[],
) {
  const known = new Set(clusters.map(c => c.name));
  for (const environment of environments) {
    if (!known.has(environment.cluster)) {
      throw new InputError(
        `paved.environments: environment ${environment.name} runs on cluster ${
          environment.cluster
        }, which is not configured; add it to ${WHERE}. Configured clusters: ${
          [...known].join(', ') || 'none'
        }`,
      );
    }
  }
}

/** One client per configured cluster, made when first asked for. */
export class DefaultKubernetesClusters implements KubernetesClusters {
  private readonly clients = new Map<string, KubernetesClient>();
  private readonly byName: Map<string, ClusterDetails>;

  /**
   * Reads `paved.environments` and `kubernetes.clusterLocatorMethods`; throws
   * at once if an environment's cluster is not configured.
   */
  static fromConfig(config: Config): DefaultKubernetesClusters {
    return new DefaultKubernetesClusters(
      readEnvironments(config),
      readClusters(config),
    );
  }

  constructor(
    private readonly environmentList: Environment[],
    clusters: ClusterDetails[],
    private readonly makeClient: (
      cluster: ClusterDetails,
    ) => KubernetesClient = cluster =>
      new DefaultKubernetesClient(kubeConfigFor(cluster)),
  ) {
    assertClustersConfigured(environmentList, clusters);
    this.byName = new Map(clusters.map(c => [c.name, c]));
  }

  environments(): Environment[] {
    return this.environmentList;
  }

  forEnvironment(environment: string): KubernetesClient {
    const found = this.environmentList.find(e => e.name === environment);
    if (!found) {
      throw new NotFoundError(
        `No environment ${environment}; paved.environments has ${this.environmentList
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    return this.forCluster(found.cluster);
  }

  forCluster(cluster: string): KubernetesClient {
    let client = this.clients.get(cluster);
    if (!client) {
      client = this.makeClient(this.details(cluster));
      this.clients.set(cluster, client);
    }
    return client;
  }

  details(cluster: string): ClusterDetails {
    const found = this.byName.get(cluster);
    if (!found) {
      throw new NotFoundError(
        `No cluster ${cluster} is configured; add it to ${WHERE}`,
      );
    }
    return found;
  }
}

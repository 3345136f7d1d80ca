import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  ApprovalRequest,
  ApprovalStatus,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  EnvironmentStatus,
  PromotionResult,
  SecretChangeResult,
  SecretList,
} from '@paved/plugin-deployments-common';
import {
  DeploymentsApi,
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
  SecretChangeRequest,
  SecretRollbackRequest,
  SecretRotateRequest,
} from './DeploymentsApi';

/** Talks to the deployments backend through the app's discovery and fetch APIs. */
export class DeploymentsClient implements DeploymentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  deploy(request: DeployRequest): Promise<Deployment> {
    return this.request('POST', '/deployments', request);
  }

  getDeployment(id: string): Promise<Deployment> {
    return this.request('GET', `/deployments/${encodeURIComponent(id)}`);
  }

  async listEnvironments(entityRef: string): Promise<EnvironmentStatus[]> {
    const body = await this.request<{ items: EnvironmentStatus[] }>(
      'GET',
      `${entityPath(entityRef)}/environments`,
    );
    return body.items;
  }

  listDeployments(
    entityRef: string,
    options: ListDeploymentsOptions = {},
  ): Promise<DeploymentPage> {
    return this.request(
      'GET',
      `${entityPath(entityRef)}/deployments${query({
        environment: options.environment,
        limit: options.limit?.toString(),
        cursor: options.cursor,
      })}`,
    );
  }

  async listAuditEvents(entityRef: string): Promise<DeploymentAuditEvent[]> {
    const body = await this.request<{ items: DeploymentAuditEvent[] }>(
      'GET',
      `${entityPath(entityRef)}/audit-events`,
    );
    return body.items;
  }

  async listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus } = {},
  ): Promise<ApprovalRequest[]> {
    const body = await this.request<{ items: ApprovalRequest[] }>(
      'GET',
      `${entityPath(entityRef)}/approvals${query({ status: options.status })}`,
    );
    return body.items;
  }

  promote(request: PromoteRequest): Promise<PromotionResult> {
    return this.request('POST', '/promotions', request);
  }

  getApproval(id: string): Promise<ApprovalRequest> {
    return this.request('GET', `/approvals/${encodeURIComponent(id)}`);
  }

  approve(
    id: string,
  ): Promise<{ approval: ApprovalRequest; deployment: Deployment }> {
    return this.request('POST', `/approvals/${encodeURIComponent(id)}/approve`);
  }

  reject(id: string): Promise<ApprovalRequest> {
    return this.request('POST', `/approvals/${encodeURIComponent(id)}/reject`);
  }

  rollback(request: RollbackRequest): Promise<Deployment> {
    return this.request('POST', '/rollbacks', request);
  }

  listBuilds(
    entityRef: string,
    options: ListBuildsOptions = {},
  ): Promise<BuildPage> {
    return this.request(
      'GET',
      `${entityPath(entityRef)}/builds${query({
        limit: options.limit?.toString(),
        cursor: options.cursor,
        status: options.status,
        commitSha: options.commitSha,
      })}`,
    );
  }

  getBuild(id: string): Promise<BuildWithLog> {
    return this.request('GET', `/builds/${encodeURIComponent(id)}`);
  }

  getBuildLog(id: string, offset: number): Promise<BuildLogChunk> {
    return this.request(
      'GET',
      `/builds/${encodeURIComponent(id)}/log${query({
        offset: String(offset),
      })}`,
    );
  }

  listSecrets(entityRef: string, environment: string): Promise<SecretList> {
    return this.request('GET', secretsPath(entityRef, environment));
  }

  changeSecrets(
    entityRef: string,
    environment: string,
    request: SecretChangeRequest,
  ): Promise<SecretChangeResult> {
    return this.request('POST', secretsPath(entityRef, environment), request);
  }

  rollbackSecrets(
    entityRef: string,
    environment: string,
    request: SecretRollbackRequest,
  ): Promise<SecretChangeResult> {
    return this.request(
      'POST',
      `${secretsPath(entityRef, environment)}/rollback`,
      request,
    );
  }

  rotateSecrets(
    entityRef: string,
    environment: string,
    request: SecretRotateRequest,
  ): Promise<SecretChangeResult> {
    return this.request(
      'POST',
      `${secretsPath(entityRef, environment)}/rotate`,
      request,
    );
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployments');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers:
        body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** `/entities/<kind>/<namespace>/<name>` of an entity ref. */
function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef, {
    defaultKind: 'component',
    defaultNamespace: 'default',
  });
  return `/entities/${[kind.toLocaleLowerCase('en-US'), namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
}

/** `/entities/<kind>/<namespace>/<name>/environments/<environment>/secrets`. */
function secretsPath(entityRef: string, environment: string): string {
  return `${entityPath(entityRef)}/environments/${encodeURIComponent(
    environment,
  )}/secrets`;
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  AdoptionQuery,
  AdoptionReport,
  ApprovalRequest,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  DoraQuery,
  DoraReport,
  EnvironmentStatus,
  Feedback,
  FeedbackList,
  FeedbackQuery,
  FeedbackRequest,
  deploymentsRequest,
  ListApprovalsOptions,
  MetricsReport,
  MetricsWindow,
  LogLine,
  OperationId,
  Pod,
  Operations,
  PromotionResult,
  RequestOptions,
  SecretChangeResult,
  SecretList,
  ServiceAlert,
} from '@paved/plugin-deployments-common';
import {
  DeploymentsApi,
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  ReadLogsOptions,
  RollbackRequest,
  SecretChangeRequest,
  SecretRollbackRequest,
  SecretRotateRequest,
} from './DeploymentsApi';
import { deliver, LogStreamItem, NdjsonLines } from './ndjson';

/**
 * Talks to the deployments backend through the app's discovery and fetch
 * APIs. Each call is an operation of openapi.yaml (`deploymentsRequest`):
 * its parameters, body and answer are the spec's generated types, so a field
 * renamed here or there fails tsc (docs/decisions/0014).
 */
export class DeploymentsClient implements DeploymentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  deploy(request: DeployRequest): Promise<Deployment> {
    return this.call('CreateDeployment', { body: request });
  }

  getDeployment(id: string): Promise<Deployment> {
    return this.call('GetDeployment', { params: { id } });
  }

  async listEnvironments(entityRef: string): Promise<EnvironmentStatus[]> {
    const body = await this.call('ListEnvironments', {
      params: entityParams(entityRef),
    });
    return body.items;
  }

  listDeployments(
    entityRef: string,
    options: ListDeploymentsOptions = {},
  ): Promise<DeploymentPage> {
    return this.call('ListDeployments', {
      params: entityParams(entityRef),
      query: {
        environment: options.environment,
        limit: options.limit,
        cursor: options.cursor,
      },
    });
  }

  async listAuditEvents(entityRef: string): Promise<DeploymentAuditEvent[]> {
    const body = await this.call('ListAuditEvents', {
      params: entityParams(entityRef),
    });
    return body.items;
  }

  async listApprovals(
    entityRef: string,
    options: ListApprovalsOptions = {},
  ): Promise<ApprovalRequest[]> {
    const body = await this.call('ListApprovals', {
      params: entityParams(entityRef),
      query: { status: options.status },
    });
    return body.items;
  }

  promote(request: PromoteRequest): Promise<PromotionResult> {
    return this.call('CreatePromotion', { body: request });
  }

  getApproval(id: string): Promise<ApprovalRequest> {
    return this.call('GetApproval', { params: { id } });
  }

  approve(
    id: string,
  ): Promise<{ approval: ApprovalRequest; deployment: Deployment }> {
    return this.call('ApproveApproval', { params: { id } });
  }

  reject(
    id: string,
    options: { reason?: string } = {},
  ): Promise<ApprovalRequest> {
    return this.call('RejectApproval', {
      params: { id },
      body: options.reason ? { reason: options.reason } : {},
    });
  }

  rollback(request: RollbackRequest): Promise<Deployment> {
    return this.call('CreateRollback', { body: request });
  }

  listBuilds(
    entityRef: string,
    options: ListBuildsOptions = {},
  ): Promise<BuildPage> {
    return this.call('ListBuilds', {
      params: entityParams(entityRef),
      query: {
        limit: options.limit,
        cursor: options.cursor,
        status: options.status,
        commitSha: options.commitSha,
      },
    });
  }

  getBuild(id: string): Promise<BuildWithLog> {
    return this.call('GetBuild', { params: { id } });
  }

  getBuildLog(id: string, offset: number): Promise<BuildLogChunk> {
    return this.call('GetBuildLog', { params: { id }, query: { offset } });
  }

  getMetrics(
    entityRef: string,
    window: MetricsWindow,
    environment?: string,
  ): Promise<MetricsReport> {
    return this.call('GetMetrics', {
      params: entityParams(entityRef),
      query: environment ? { window, environment } : { window },
    });
  }

  async listAlerts(entityRef: string): Promise<ServiceAlert[]> {
    const { items } = await this.call('ListAlerts', {
      params: entityParams(entityRef),
    });
    return items;
  }

  getDoraInsights(query: DoraQuery): Promise<DoraReport> {
    return this.call('GetDoraInsights', {
      query: {
        window: query.window,
        groupBy: query.groupBy,
        entityRef: query.entityRef,
      },
    });
  }

  getAdoptionInsights(query: AdoptionQuery): Promise<AdoptionReport> {
    return this.call('GetAdoptionInsights', {
      query: { window: query.window },
    });
  }

  createFeedback(request: FeedbackRequest): Promise<Feedback> {
    return this.call('CreateFeedback', { body: request });
  }

  listFeedback(query: FeedbackQuery): Promise<FeedbackList> {
    return this.call('ListFeedback', {
      query: {
        window: query.window,
        action: query.action,
        entityRef: query.entityRef,
      },
    });
  }

  listSecrets(entityRef: string, environment: string): Promise<SecretList> {
    return this.call('ListSecrets', {
      params: secretsParams(entityRef, environment),
    });
  }

  changeSecrets(
    entityRef: string,
    environment: string,
    request: SecretChangeRequest,
  ): Promise<SecretChangeResult> {
    return this.call('ChangeSecrets', {
      params: secretsParams(entityRef, environment),
      body: request,
    });
  }

  rollbackSecrets(
    entityRef: string,
    environment: string,
    request: SecretRollbackRequest,
  ): Promise<SecretChangeResult> {
    return this.call('RollbackSecrets', {
      params: secretsParams(entityRef, environment),
      body: request,
    });
  }

  rotateSecrets(
    entityRef: string,
    environment: string,
    request: SecretRotateRequest,
  ): Promise<SecretChangeResult> {
    return this.call('RotateSecrets', {
      params: secretsParams(entityRef, environment),
      body: request,
    });
  }

  async listPods(entityRef: string, environment: string): Promise<Pod[]> {
    const body = await this.call('ListPods', {
      params: secretsParams(entityRef, environment),
    });
    return body.items;
  }

  async readLogs(
    entityRef: string,
    environment: string,
    options: ReadLogsOptions,
    onLines: (lines: LogLine[]) => void,
  ): Promise<void> {
    const { signal } = options;
    const items = new NdjsonLines<LogStreamItem>();
    try {
      const response = await this.send(
        'ReadLogs',
        {
          params: secretsParams(entityRef, environment),
          query: {
            pod: options.pod,
            container: options.container,
            since: options.since,
            tailLines: options.tailLines,
            follow: options.follow ? 'true' : undefined,
          },
        },
        signal,
      );
      if (!response.body) {
        // No streams (an old fetch): the whole answer at once.
        deliver(items.push(await response.text()), onLines);
      } else {
        const reader = response.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            deliver(items.push(value), onLines);
          }
        } finally {
          reader.releaseLock();
        }
      }
      deliver(items.end(), onLines);
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }

  /** One operation of the API, its request and answer typed by the spec. */
  private async call<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
  ): Promise<Operations[K]['response']> {
    const response = await this.send(operationId, options);
    return await response.json();
  }

  /** Sends one operation; an error answer rejects with a `ResponseError`. */
  private async send<K extends OperationId>(
    operationId: K,
    options: RequestOptions<K>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployments');
    const request = deploymentsRequest(operationId, options);
    const response = await this.fetchApi.fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}

/** The `{kind}/{namespace}/{name}` path parameters of an entity ref. */
function entityParams(entityRef: string) {
  const { kind, namespace, name } = parseEntityRef(entityRef, {
    defaultKind: 'component',
    defaultNamespace: 'default',
  });
  return { kind: kind.toLocaleLowerCase('en-US'), namespace, name };
}

/** The path parameters of an environment's routes (secrets, pods, logs). */
function secretsParams(entityRef: string, environment: string) {
  return { ...entityParams(entityRef), environment };
}

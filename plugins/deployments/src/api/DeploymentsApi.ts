import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  AdoptionQuery,
  AdoptionReport,
  Feedback,
  FeedbackList,
  FeedbackQuery,
  FeedbackRequest,
  ApprovalRequest,
  ListApprovalsOptions,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  DeployRequest,
  DoraQuery,
  DoraReport,
  EnvironmentStatus,
  ListBuildsOptions,
  MetricsReport,
  MetricsWindow,
  ListDeploymentsOptions,
  LogLine,
  Pod,
  PromoteRequest,
  PromotionResult,
  RollbackRequest,
  SecretChangeRequest,
  SecretChangeResult,
  SecretList,
  SecretRollbackRequest,
  SecretRotateRequest,
  ServiceAlert,
} from '@paved/plugin-deployments-common';

/** What ReadLogs reads (its query parameters), and the signal that stops it. */
export interface ReadLogsOptions {
  /** One pod of `listPods`; default every pod of the service. */
  pod?: string;
  /** One of the pod's containers; default the service's. */
  container?: string;
  /** `15m`, `1h`, … or an ISO 8601 time. */
  since?: string;
  /** The last N lines (per pod). */
  tailLines?: number;
  /** Keep reading new lines until `signal` aborts. */
  follow?: boolean;
  /** Aborting it ends the read: `readLogs` then resolves. */
  signal?: AbortSignal;
}

export type {
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
  SecretChangeRequest,
  SecretRollbackRequest,
  SecretRotateRequest,
};

/**
 * The deployments backend (`/api/deployments`), as the UI uses it. Every
 * method rejects with a `ResponseError` carrying the backend's message when
 * the backend answers with an error.
 */
export interface DeploymentsApi {
  deploy(request: DeployRequest): Promise<Deployment>;
  getDeployment(id: string): Promise<Deployment>;
  listEnvironments(entityRef: string): Promise<EnvironmentStatus[]>;
  listDeployments(
    entityRef: string,
    options?: ListDeploymentsOptions,
  ): Promise<DeploymentPage>;
  listAuditEvents(entityRef: string): Promise<DeploymentAuditEvent[]>;
  listApprovals(
    entityRef: string,
    options?: ListApprovalsOptions,
  ): Promise<ApprovalRequest[]>;
  promote(request: PromoteRequest): Promise<PromotionResult>;
  getApproval(id: string): Promise<ApprovalRequest>;
  approve(
    id: string,
  ): Promise<{ approval: ApprovalRequest; deployment: Deployment }>;
  /** `reason` is stored with the decision and shown in history and audit. */
  reject(id: string, options?: { reason?: string }): Promise<ApprovalRequest>;
  rollback(request: RollbackRequest): Promise<Deployment>;
  /** The entity's builds, newest first. */
  listBuilds(
    entityRef: string,
    options?: ListBuildsOptions,
  ): Promise<BuildPage>;
  getBuild(id: string): Promise<BuildWithLog>;
  /** The build's log from `offset` (0, or the `nextOffset` of the previous chunk). */
  getBuildLog(id: string, offset: number): Promise<BuildLogChunk>;
  /** Golden signals per environment over a window (at most 30 days), from Prometheus. */
  getMetrics(
    entityRef: string,
    window: MetricsWindow,
    environment?: string,
  ): Promise<MetricsReport>;
  /** The service's firing SLO alerts (oldest first), then those resolved in the last 7 days. */
  listAlerts(entityRef: string): Promise<ServiceAlert[]>;
  /** DORA's four keys for the organisation, teams, systems or one service, with the deployments each counts. */
  getDoraInsights(query: DoraQuery): Promise<DoraReport>;
  /** Golden-path adoption, the organisation first, then each team. */
  getAdoptionInsights(query: AdoptionQuery): Promise<AdoptionReport>;
  /** Rates an action the user performed (their production deploy, their Create Service run), once. */
  createFeedback(request: FeedbackRequest): Promise<Feedback>;
  /** The platform team's list: ratings, comments and the weekly averages per action. */
  listFeedback(query: FeedbackQuery): Promise<FeedbackList>;
  /** The keys the service's pods get in an environment: names and versions, never values. */
  listSecrets(entityRef: string, environment: string): Promise<SecretList>;
  /** Sets and unsets keys (one new version, then a restart); `dryRun` only says what would change. */
  changeSecrets(
    entityRef: string,
    environment: string,
    request: SecretChangeRequest,
  ): Promise<SecretChangeResult>;
  rollbackSecrets(
    entityRef: string,
    environment: string,
    request: SecretRollbackRequest,
  ): Promise<SecretChangeResult>;
  rotateSecrets(
    entityRef: string,
    environment: string,
    request: SecretRotateRequest,
  ): Promise<SecretChangeResult>;
  /** The pods of the service in an environment, with their containers; empty when it does not run there. */
  listPods(entityRef: string, environment: string): Promise<Pod[]>;
  /**
   * Reads the service's logs, handing each chunk's lines to `onLines` as
   * they arrive. Resolves at the end of the answer or when `signal` aborts;
   * rejects with a `ResponseError` when the backend refuses, and with a
   * `LogStreamFailedError` when the answer ends in an error line.
   */
  readLogs(
    entityRef: string,
    environment: string,
    options: ReadLogsOptions,
    onLines: (lines: LogLine[]) => void,
  ): Promise<void>;
}

/** The {@link DeploymentsApi} of the app. */
export const deploymentsApiRef = createApiRef<DeploymentsApi>().with({
  id: 'plugin.deployments.api',
  pluginId: 'deployments',
});

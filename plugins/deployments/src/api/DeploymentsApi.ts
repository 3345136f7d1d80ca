import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ApprovalRequest,
  ListApprovalsOptions,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  DeployRequest,
  EnvironmentStatus,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  PromotionResult,
  RollbackRequest,
} from '@paved/plugin-deployments-common';

export type {
  DeployRequest,
  ListBuildsOptions,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
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
  reject(id: string): Promise<ApprovalRequest>;
  rollback(request: RollbackRequest): Promise<Deployment>;
  /** The entity's builds, newest first. */
  listBuilds(
    entityRef: string,
    options?: ListBuildsOptions,
  ): Promise<BuildPage>;
  getBuild(id: string): Promise<BuildWithLog>;
  /** The build's log from `offset` (0, or the `nextOffset` of the previous chunk). */
  getBuildLog(id: string, offset: number): Promise<BuildLogChunk>;
}

/** The {@link DeploymentsApi} of the app. */
export const deploymentsApiRef = createApiRef<DeploymentsApi>().with({
  id: 'plugin.deployments.api',
  pluginId: 'deployments',
});

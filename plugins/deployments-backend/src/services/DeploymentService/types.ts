import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ApprovalRequest,
  ApprovalStatus,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  EnvironmentStatus,
  PromotionResult,
} from '@paved/plugin-deployments-common';

/** Who is asking: their credentials, and their user entity ref when a user. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The user entity ref; required for actions that change something. */
  userEntityRef?: string;
}

export interface DeployRequest {
  entityRef: string;
  environment: string;
  image: string;
  replicas?: number;
}

export interface PromoteRequest {
  entityRef: string;
  from: string;
  to: string;
}

export interface RollbackRequest {
  entityRef: string;
  environment: string;
  toDeploymentId: string;
}

export interface ListDeploymentsOptions {
  environment?: string;
  limit?: number;
  cursor?: string;
}

/** Deploys, promotes, approves and rolls back golden-path services. */
export interface DeploymentService {
  /** Applies the image and starts watching the rollout; resolves once applied. */
  deploy(request: DeployRequest, caller: Caller): Promise<Deployment>;
  listEnvironments(
    entityRef: string,
    caller: Caller,
  ): Promise<EnvironmentStatus[]>;
  listDeployments(
    entityRef: string,
    options: ListDeploymentsOptions,
    caller: Caller,
  ): Promise<DeploymentPage>;
  getDeployment(id: string, caller: Caller): Promise<Deployment>;
  promote(request: PromoteRequest, caller: Caller): Promise<PromotionResult>;
  getApproval(id: string, caller: Caller): Promise<ApprovalRequest>;
  approve(
    id: string,
    caller: Caller,
  ): Promise<{ approval: ApprovalRequest; deployment: Deployment }>;
  reject(id: string, caller: Caller): Promise<ApprovalRequest>;
  listApprovals(
    entityRef: string,
    options: { status?: ApprovalStatus },
    caller: Caller,
  ): Promise<ApprovalRequest[]>;
  rollback(request: RollbackRequest, caller: Caller): Promise<Deployment>;
  listAuditEvents(
    entityRef: string,
    caller: Caller,
  ): Promise<DeploymentAuditEvent[]>;
}

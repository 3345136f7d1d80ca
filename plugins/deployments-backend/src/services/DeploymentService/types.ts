import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ApprovalRequest,
  ApprovalStatus,
  Deployment,
  DeploymentAuditEvent,
  DeploymentPage,
  EnvironmentStatus,
  DeployRequest,
  ListDeploymentsOptions,
  PromoteRequest,
  PromotionResult,
  RollbackRequest,
} from '@paved/plugin-deployments-common';

import type { SecretChange } from '../SecretsService/rules';

export type { SecretChange };
export type {
  DeployRequest,
  ListDeploymentsOptions,
  PromoteRequest,
  RollbackRequest,
};

/** Who is asking: their credentials, and their user entity ref when a user. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The user entity ref; required for actions that change something. */
  userEntityRef?: string;
  /** The request's User-Agent, recorded on the deployments it starts (portal or CLI). */
  userAgent?: string;
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

/** What the service's own deploy step takes: deploy, promotion, approval and (automatic) rollback all end in it. */
export interface StartDeploymentRequest {
  environment: string;
  image: string;
  replicas?: number;
  requestedBy: string;
  message: string;
  /** Where a promotion comes from: the first one into an environment copies the service's objects from there. */
  sourceEnvironment?: string;
  /** An automatic rollback: the deployment whose failed rollout it undoes. */
  rollbackOf?: string;
  /** A requested rollback: the deployment it undoes (what ran before it). */
  reverts?: string;
  /** The User-Agent of the request that started it. */
  userAgent?: string;
  /** A change of the environment's own secret, written to Vault under the deploy lock before the restart. */
  secretChange?: SecretChange;
}

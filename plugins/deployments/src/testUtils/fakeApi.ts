import { ResponseError } from '@backstage/errors';
import {
  ApprovalRequest,
  Build,
  Deployment,
  EnvironmentStatus,
  SecretChangeResult,
} from '@paved/plugin-deployments-common';
import { DeploymentsApi } from '../api';

export const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-api',
    namespace: 'default',
    annotations: { 'paved.dev/golden-path': 'create-service' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team-a',
    lifecycle: 'production',
  },
};
export const entityRef = 'component:default/orders-api';

export function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd-1',
    entityRef,
    environment: 'staging',
    image: 'registry.paved.local/orders-api:1.0.0',
    status: 'succeeded',
    requestedBy: 'user:default/alice',
    createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    finishedAt: new Date().toISOString(),
    message: 'Rollout complete',
    ...overrides,
  };
}

export function environment(
  overrides: Partial<EnvironmentStatus> = {},
): EnvironmentStatus {
  return {
    environment: 'staging',
    namespace: 'orders-api-staging',
    requiresApproval: false,
    image: 'registry.paved.local/orders-api:1.0.0',
    replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
    rolloutState: 'complete',
    rolloutMessage: 'deployment "orders-api" successfully rolled out',
    lastDeployment: deployment(),
    ...overrides,
  };
}

export const staging = environment();
export const production = environment({
  environment: 'production',
  namespace: 'orders-api-production',
  requiresApproval: true,
  image: undefined,
  replicas: { desired: 0, ready: 0, updated: 0, available: 0 },
  rolloutState: 'not-deployed',
  rolloutMessage: undefined,
  lastDeployment: undefined,
});

export function approval(
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest {
  return {
    id: 'a-1',
    entityRef,
    fromEnvironment: 'staging',
    toEnvironment: 'production',
    image: 'registry.paved.local/orders-api:1.0.0',
    requestedBy: 'user:default/alice',
    status: 'pending',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export const SHA = '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';

/** A succeeded build of `SHA`, finished a minute ago after 42 s. */
export function build(overrides: Partial<Build> = {}): Build {
  const finishedAt = new Date(Date.now() - 60_000);
  return {
    id: 'b-1',
    entityRef,
    commitSha: SHA,
    commitMessage: 'Add the orders endpoint\n\nWith tests.',
    commitAuthor: 'Alice <alice@example.com>',
    commitTime: new Date(finishedAt.getTime() - 120_000).toISOString(),
    status: 'succeeded',
    image: `registry.paved.local/orders-api:${SHA}`,
    startedAt: new Date(finishedAt.getTime() - 42_000).toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: 42_000,
    createdBy: 'paved-builder',
    logSize: 0,
    logTruncated: false,
    ...overrides,
  };
}

/** What a secret change answers: one key added; on a real run, version 2 and its deployment. */
export function secretResult(env: string, dryRun = false): SecretChangeResult {
  return {
    dryRun,
    environment: env,
    changes: [{ key: 'API_TOKEN', change: 'added' }],
    restarts: [{ namespace: `orders-api-${env}`, name: 'orders-api' }],
    previousVersion: 1,
    ...(dryRun ? {} : { version: 2, deploymentId: 'd-secrets' }),
  };
}

/** The ResponseError the client throws for a backend error answer. */
export async function responseError(
  statusCode: number,
  message: string,
  /** The backend's error name, e.g. ConflictError. */
  name = 'Error',
): Promise<ResponseError> {
  const body = {
    error: { name, message },
    request: { method: 'POST', url: '/api/deployments/deployments' },
    response: { statusCode },
  };
  return ResponseError.fromResponse({
    status: statusCode,
    statusText: 'Error',
    headers: new Map([['content-type', 'application/json; charset=utf-8']]),
    text: async () => JSON.stringify(body),
  } as unknown as Response);
}

/** A fake of the deployments API: every method a jest mock with a sensible default. */
export function fakeDeploymentsApi(
  overrides: Partial<DeploymentsApi> = {},
): jest.Mocked<DeploymentsApi> {
  return {
    deploy: jest.fn(async request =>
      deployment({
        id: 'd-new',
        environment: request.environment,
        image: request.image,
        status: 'rolling-out',
      }),
    ),
    getDeployment: jest.fn(async id =>
      deployment({ id, image: 'registry.paved.local/orders-api:2.0.0' }),
    ),
    listEnvironments: jest.fn(async () => [staging, production]),
    listDeployments: jest.fn(async () => ({ items: [] })),
    listAuditEvents: jest.fn(async () => []),
    listApprovals: jest.fn(async () => []),
    promote: jest.fn(async () => ({
      type: 'approval' as const,
      approval: approval(),
    })),
    getApproval: jest.fn(async () => approval()),
    approve: jest.fn(async () => ({
      approval: approval({ status: 'approved' }),
      deployment: deployment({
        id: 'd-prod',
        environment: 'production',
        status: 'rolling-out',
      }),
    })),
    reject: jest.fn(async () => approval({ status: 'rejected' })),
    rollback: jest.fn(async request =>
      deployment({ id: 'd-rollback', environment: request.environment }),
    ),
    listBuilds: jest.fn(async () => ({ items: [] })),
    getBuild: jest.fn(async id => ({
      ...build({ id }),
      log: '',
      logOffset: 0,
    })),
    getBuildLog: jest.fn(async (_id, offset) => ({
      text: '',
      offset,
      nextOffset: offset,
      truncated: false,
      status: 'succeeded' as const,
      finished: true,
    })),
    getMetrics: jest.fn(async (_ref, window) => ({
      window,
      stepSeconds: 60,
      items: [],
    })),
    listAlerts: jest.fn(async () => []),
    listPods: jest.fn(async () => []),
    readLogs: jest.fn(async () => {}),
    listSecrets: jest.fn(async (_ref, env) => ({
      environment: env,
      vaultPath: `secret/services/orders-api/env/${env}`,
      items: [],
    })),
    changeSecrets: jest.fn(async (_ref, env, request) =>
      secretResult(env, request.dryRun),
    ),
    rollbackSecrets: jest.fn(async (_ref, env, request) =>
      secretResult(env, request.dryRun),
    ),
    rotateSecrets: jest.fn(async (_ref, env, request) =>
      secretResult(env, request.dryRun),
    ),
    getDoraInsights: jest.fn(async () => {
      throw new Error('no insights in this fake');
    }),
    getAdoptionInsights: jest.fn(async () => {
      throw new Error('no insights in this fake');
    }),
    createFeedback: jest.fn(async () => {
      throw new Error('no feedback in this fake');
    }),
    listFeedback: jest.fn(async () => {
      throw new Error('no feedback in this fake');
    }),
    ...overrides,
  } as jest.Mocked<DeploymentsApi>;
}

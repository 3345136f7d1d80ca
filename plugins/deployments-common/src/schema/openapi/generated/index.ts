// Generated from plugins/deployments-backend/src/schema/openapi.yaml by
// plugins/deployments-backend/scripts/generate-openapi.ts: do not edit. Change the
// YAML and run `node plugins/deployments-backend/scripts/generate-openapi.ts`.
/* eslint-disable */

// The schemas (components.schemas).
export interface FeedbackContext {
  page: string;
  action: 'create-service' | 'production-deploy';
  entityRef: string;
  /** For `production-deploy`, the deployment rated. */
  deploymentId?: string;
  /** For `create-service`, the scaffolder task rated. */
  taskId?: string;
}

export interface FeedbackRequest {
  rating: number;
  category: string;
  comment?: string;
  context: FeedbackContext;
}

export interface Feedback {
  id: string;
  rating: number;
  category: string;
  comment?: string;
  context: FeedbackContext;
  user: string;
  createdAt: string;
}

export interface FeedbackList {
  window: number;
  items: Array<Feedback>;
  /** Per action and week (weeks back from now), the count and average rating. */
  weekly: Array<{
    action: string;
    weekStart: string;
    count: number;
    average: number;
  }>;
}

export interface ErrorBody {
  error: {
    name: string;
    message: string;
  };
  request?: {
    method?: string;
    url?: string;
  };
  response?: {
    statusCode?: number;
  };
}

export interface DeployRequest {
  entityRef: string;
  environment: string;
  /** registry/path:tag or registry/path@sha256:<64 hex digits> */
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

export interface Deployment {
  id: string;
  entityRef: string;
  environment: string;
  image: string;
  replicas?: number;
  revision?: number;
  status: 'pending' | 'rolling-out' | 'succeeded' | 'failed';
  requestedBy: string;
  createdAt: string;
  finishedAt?: string;
  message?: string;
  /** Why a failed rollout failed */
  failureReason?:
    | 'ImagePull'
    | 'CrashLoop'
    | 'ContainerConfig'
    | 'ProbeFailure'
    | 'Unschedulable'
    | 'Deadline'
    | 'Timeout';
  /** The failing container's last log lines */
  logTail?: string;
  /** The image that ran in the environment before */
  previousImage?: string;
  /** On an automatic rollback, the deployment whose rollout failed */
  rollbackOf?: string;
  /** On a requested rollback, the deployment it undoes (the one that ran before it) */
  reverts?: string;
  secretChange?: DeploymentSecretChange;
}

export interface EnvironmentStatus {
  environment: string;
  namespace: string;
  requiresApproval: boolean;
  image?: string;
  replicas: {
    desired: number;
    ready: number;
    updated: number;
    available: number;
  };
  rolloutState: 'progressing' | 'complete' | 'failed' | 'not-deployed';
  rolloutMessage?: string;
  lastDeployment?: Deployment;
  /** Where the service answers in this environment */
  url?: string;
  health?: ServiceHealth;
}

/** What the running service answered at <url>/healthz */
export interface ServiceHealth {
  healthy: boolean;
  statusCode?: number;
  version?: string;
  error?: string;
  checkedAt: string;
}

export interface ApprovalRequest {
  id: string;
  entityRef: string;
  fromEnvironment: string;
  toEnvironment: string;
  image: string;
  requestedBy: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy?: string;
  decidedAt?: string;
  /** Why it was rejected, as the decider gave it. */
  decisionReason?: string;
  createdAt: string;
  deploymentId?: string;
}

export interface RejectRequest {
  /** Why; shown in the approval, history and audit. */
  reason?: string;
}

/** Deployed right away, or an approval requested. */
export type PromotionResult =
  | {
      type: 'deployment';
      deployment: Deployment;
    }
  | {
      type: 'approval';
      approval: ApprovalRequest;
    };

export interface AuditEvent {
  id: string;
  createdAt: string;
  actor: string;
  action:
    | 'deploy'
    | 'promote'
    | 'approve'
    | 'reject'
    | 'rollout'
    | 'rollback'
    | 'secret-change'
    | 'secret-rollback'
    | 'secret-rotate';
  entityRef: string;
  environment?: string;
  image?: string;
  result: 'succeeded' | 'failed' | 'pending';
  message?: string;
  deploymentId?: string;
  approvalId?: string;
}

export interface CreateBuildRequest {
  entityRef: string;
  commit: BuildCommit;
  status: 'running' | 'succeeded' | 'failed';
  /** Required when status is succeeded. */
  image?: string | null;
  digest?: string | null;
  /** The log so far. */
  log?: string | null;
  /** Default now. */
  startedAt?: string | null;
  /** For a build posted already finished, how it ended. */
  message?: string | null;
  /** For a build posted already finished; default now. */
  finishedAt?: string | null;
}

export interface BuildCommit {
  sha: string;
  message?: string | null;
  author?: string | null;
  time?: string | null;
}

export interface FinishBuildRequest {
  status: 'succeeded' | 'failed';
  /** Required for succeeded unless the build was posted with one. */
  image?: string | null;
  digest?: string | null;
  /** For a failed build, the cause. */
  message?: string | null;
  /** The last log lines, appended before the build is closed. */
  log?: string | null;
  /** Default now. */
  finishedAt?: string | null;
}

export interface AppendBuildLogRequest {
  text: string;
}

export interface Build {
  id: string;
  entityRef: string;
  commitSha: string;
  commitMessage?: string;
  commitAuthor?: string;
  commitTime?: string;
  status: 'running' | 'succeeded' | 'failed';
  image?: string;
  digest?: string;
  message?: string;
  startedAt: string;
  finishedAt?: string;
  /** finishedAt − startedAt, once finished. */
  durationMs?: number;
  /** The service principal that posted it, e.g. paved-builder. */
  createdBy: string;
  /** Characters of log ever appended. */
  logSize: number;
  /** The start of the log was dropped (the last 1 Mi characters are kept). */
  logTruncated: boolean;
}

/** A Build with the log the backend kept. */
export interface BuildWithLog {
  id: string;
  entityRef: string;
  commitSha: string;
  commitMessage?: string;
  commitAuthor?: string;
  commitTime?: string;
  status: 'running' | 'succeeded' | 'failed';
  image?: string;
  digest?: string;
  message?: string;
  startedAt: string;
  finishedAt?: string;
  /** finishedAt − startedAt, once finished. */
  durationMs?: number;
  /** The service principal that posted it, e.g. paved-builder. */
  createdBy: string;
  /** Characters of log ever appended. */
  logSize: number;
  /** The start of the log was dropped (the last 1 Mi characters are kept). */
  logTruncated: boolean;
  /** The kept log, from logOffset on. */
  log: string;
  /** Where log starts in the whole log (0 unless truncated). */
  logOffset: number;
}

export interface BuildLogChunk {
  text: string;
  /** Where text starts; later than asked when that part was dropped. */
  offset: number;
  /** Ask for this offset next. */
  nextOffset: number;
  truncated: boolean;
  status: 'running' | 'succeeded' | 'failed';
  finished: boolean;
}

export interface SecretKeyChange {
  key: string;
  change: 'added' | 'changed' | 'removed';
}

export interface AdoptionReport {
  window: number;
  from: string;
  to: string;
  /** Why the golden paths' runs are missing (the scaffolder could not
   * be asked); each group's `templateRuns` is then null. */
  templateRunsUnavailable?: string;
  groups: Array<{
    /** organisation, or the team's entity ref */
    key: string;
    figures: AdoptionFigures;
  }>;
}

export interface AdoptionFigures {
  services: number;
  goldenPath: number;
  goldenPathShare: number | null;
  withDatabase: number;
  databaseShare: number | null;
  deploys: {
    portal: number;
    cli: number;
    other: number;
  };
  /** Create Service and Provision Database runs in the window (the
   * scaffolder's tasks of `template:default/create-service` and
   * `template:default/provision-database`), per team by Create
   * Service's `owner` and by the owner of Provision Database's
   * `component`. */
  templateRuns: {
    createService: number;
    provisionDatabase: number;
    /** Weeks counted back from the window's end (the oldest may be shorter), oldest first. */
    weekly: Array<{
      weekStart: string;
      createService: number;
      provisionDatabase: number;
    }>;
  } | null;
}

export interface DoraReport {
  window: number;
  from: string;
  to: string;
  /** The production environment the figures are of */
  environment: string;
  groupBy: 'organisation' | 'team' | 'system' | 'service';
  tierSource: string;
  definitions: {
    deploymentFrequency: string;
    leadTime: string;
    changeFailureRate: string;
    recoveryTime: string;
  };
  /** Each figure's lists of deployment ids and samples hold at most
   * this many, the newest; its counts and medians are of all. */
  drillDownLimit: number;
  groups: Array<DoraGroup>;
}

export interface DoraGroup {
  /** organisation, or the team, system or service entity ref */
  key: string;
  figures: DoraFigures;
  trend: Array<DoraWeek>;
}

export type DoraTier = 'elite' | 'high' | 'medium' | 'low' | null | null;

export interface DoraFigures {
  deploymentFrequency: {
    count: number;
    perDay: number;
    deploymentIds: Array<string>;
  };
  leadTime: {
    medianSeconds: number | null;
    samples: Array<{
      deploymentId: string;
      commitSha?: string;
      commitTime: string;
      seconds: number;
    }>;
  };
  changeFailureRate: {
    rate: number | null;
    failed: number;
    count: number;
    failedDeploymentIds: Array<string>;
  };
  recoveryTime: {
    medianSeconds: number | null;
    samples: Array<{
      deploymentId: string;
      recoveredBy: string;
      seconds: number;
    }>;
    unrecoveredDeploymentIds: Array<string>;
  };
  tier: {
    overall: DoraTier;
    deploymentFrequency: DoraTier;
    leadTime: DoraTier;
    changeFailureRate: DoraTier;
    recoveryTime: DoraTier;
  };
}

export interface DoraWeek {
  weekStart: string;
  deployments: number;
  leadTimeMedianSeconds: number | null;
  changeFailureRate: number | null;
  recoveryMedianSeconds: number | null;
}

/** On a deployment that restarted the service for a secret change; key names and versions only */
export interface DeploymentSecretChange {
  version: number;
  previousVersion?: number;
  changes: Array<SecretKeyChange>;
  /** A database password rotation's old login role, set NOLOGIN once the restart succeeded */
  retireLogin?: string;
  /** What else the change did or left, in words */
  note?: string;
}

export interface SecretKey {
  /** The environment variable name */
  key: string;
  /** `environment`: the environment's own secret; `service`: shared by every environment */
  source: 'environment' | 'service';
  vaultPath: string;
  /** The KV version in which the key last changed */
  version: number;
  updatedAt?: string;
  /** Absent when written outside the secrets API (Create Service, OpenTofu, the vault CLI) */
  updatedBy?: string;
  /** Paved generates the value, so rotate renews it */
  generated: boolean;
  /** A service-wide key the environment's own key of the same name overrides */
  overridden?: boolean;
}

export interface AlertmanagerWebhook {
  version: '4';
  status: 'firing' | 'resolved';
  receiver?: string;
  groupKey?: string;
  truncatedAlerts?: number;
  externalURL?: string;
  groupLabels?: {
    [key: string]: string;
  };
  commonLabels?: {
    [key: string]: string;
  };
  commonAnnotations?: {
    [key: string]: string;
  };
  alerts: Array<AlertmanagerAlert>;
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: {
    alertname: string;
    service: string;
    namespace: string;
    [key: string]: string;
  };
  annotations?: {
    [key: string]: string;
  };
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint: string;
}

export interface AlertsReceived {
  /** Alerts stored (new, or their state changed) */
  recorded: number;
  /** Notifications sent (a first firing, a resolution) */
  notified: number;
  /** `<namespace>/<service>` of alerts no entity claims */
  unmatched: Array<string>;
}

export interface ServiceAlert {
  id: string;
  entityRef: string;
  environment: string;
  alertname: string;
  severity: string;
  status: 'firing' | 'resolved';
  summary: string;
  description?: string;
  startsAt: string;
  resolvedAt?: string;
  updatedAt: string;
  labels: {
    [key: string]: string;
  };
}

export interface MetricsReport {
  window: '1h' | '6h' | '1d' | '7d' | '30d';
  /** Seconds between the points of each series */
  stepSeconds: number;
  items: Array<EnvironmentMetrics>;
}

export interface EnvironmentMetrics {
  environment: string;
  namespace: string;
  /** `none` when no request (probes aside) was answered in the window */
  traffic: 'some' | 'none';
  /** The availability SLO of the service's tier */
  objectivePercent: number;
  latencyThresholdSeconds: number;
  /** Requests per second over the window */
  requestRate?: number;
  /** Share of requests answered 5xx over the window (0..1) */
  errorRatio?: number;
  p99LatencySeconds?: number;
  /** Share of the availability error budget left over the window (1 = untouched, negative = overspent) */
  errorBudgetRemaining?: number;
  series: {
    requestRate: MetricSeries;
    errorRatio: MetricSeries;
    p99LatencySeconds: MetricSeries;
  };
}

/** [unix seconds, value] points, oldest first; gaps where there was no data */
export type MetricSeries = Array<Array<number>>;

export interface Pod {
  name: string;
  /** Pending, Running, Succeeded, Failed or Unknown */
  phase: string;
  /** Every container is ready */
  ready: boolean;
  /** Restarts of all its containers together */
  restarts: number;
  /** Its containers' names; the first is the service's */
  containers: Array<string>;
  startedAt?: string;
}

export interface LogLine {
  /** When the container runtime recorded the line (RFC 3339, nanoseconds) */
  time: string;
  pod: string;
  container: string;
  /** The line, without its newline */
  text: string;
}

export interface SecretList {
  environment: string;
  /** The environment's own secret */
  vaultPath: string;
  /** Its current KV version; absent until a key is set */
  version?: number;
  items: Array<SecretKey>;
}

/** An environment variable name (the router checks it, naming the fix) */
export type SecretKeyName = string;

export interface SecretChangeRequest {
  /** Keys (environment variable names: letters, digits and `_`, not
   * starting with a digit, at most 128 characters) to values
   * (non-empty, at most 64 KiB). The router checks both
   * (`secretKeyProblem`, `secretValueProblem` in deployments-common):
   * a 400 naming the key and the fix, never quoting the value. */
  set?: {
    [key: string]: string;
  };
  unset?: Array<SecretKeyName>;
  dryRun?: boolean;
}

export interface SecretRollbackRequest {
  /** The version whose data to restore; 0 for no keys of its own. Default the one before the current one. */
  toVersion?: number;
  dryRun?: boolean;
}

export interface SecretRotateRequest {
  /** Default every generated key the pods get; `DATABASE_PASSWORD` only when named. */
  keys?: Array<SecretKeyName>;
  dryRun?: boolean;
}

export interface SecretChangeResult {
  dryRun: boolean;
  environment: string;
  changes: Array<SecretKeyChange>;
  /** The Deployments restarted (or that would restart) */
  restarts: Array<{
    namespace: string;
    name: string;
  }>;
  previousVersion?: number;
  /** The KV version written; absent on a dry run */
  version?: number;
  /** The restart, watched like a deploy */
  deploymentId?: string;
}

/** Every operation, by operationId: what it takes and what it answers (2xx). */
export interface Operations {
  /** Deploy an image of an entity to an environment */
  CreateDeployment: {
    method: 'POST';
    path: '/deployments';
    status: 202;
    body: DeployRequest;
    response: Deployment;
  };
  /** One deployment */
  GetDeployment: {
    method: 'GET';
    path: '/deployments/{id}';
    status: 200;
    params: {
      id: string;
    };
    response: Deployment;
  };
  /** What runs in each environment, live, and the last deployment there */
  ListEnvironments: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/environments';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    response: {
      items: Array<EnvironmentStatus>;
    };
  };
  /** Deployment history, newest first */
  ListDeployments: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/deployments';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    query: {
      environment?: string;
      limit?: number;
      /** The `nextCursor` of the previous page. */
      cursor?: string;
    };
    response: {
      items: Array<Deployment>;
      nextCursor?: string;
    };
  };
  /** The last 100 audited actions on the entity, newest first */
  ListAuditEvents: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/audit-events';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    response: {
      items: Array<AuditEvent>;
    };
  };
  /** The entity's approval requests, newest first (the last 100) */
  ListApprovals: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/approvals';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    query: {
      status?: 'pending' | 'approved' | 'rejected';
    };
    response: {
      items: Array<ApprovalRequest>;
    };
  };
  /** Promote what runs in one environment to another */
  CreatePromotion: {
    method: 'POST';
    path: '/promotions';
    status: 201 | 202;
    body: PromoteRequest;
    response: PromotionResult;
  };
  /** One approval request */
  GetApproval: {
    method: 'GET';
    path: '/approvals/{id}';
    status: 200;
    params: {
      id: string;
    };
    response: ApprovalRequest;
  };
  /** Approve a promotion and deploy it */
  ApproveApproval: {
    method: 'POST';
    path: '/approvals/{id}/approve';
    status: 202;
    params: {
      id: string;
    };
    response: {
      approval: ApprovalRequest;
      deployment: Deployment;
    };
  };
  /** Reject a promotion */
  RejectApproval: {
    method: 'POST';
    path: '/approvals/{id}/reject';
    status: 200;
    params: {
      id: string;
    };
    body: RejectRequest;
    response: ApprovalRequest;
  };
  /** Deploy an earlier, successful deployment's image again */
  CreateRollback: {
    method: 'POST';
    path: '/rollbacks';
    status: 202;
    body: RollbackRequest;
    response: Deployment;
  };
  /** Record a build (service tokens only) */
  CreateBuild: {
    method: 'POST';
    path: '/builds';
    status: 201;
    body: CreateBuildRequest;
    response: Build;
  };
  /** One build, with its log */
  GetBuild: {
    method: 'GET';
    path: '/builds/{id}';
    status: 200;
    params: {
      id: string;
    };
    response: BuildWithLog;
  };
  /** Record how a running build ended (service tokens only) */
  FinishBuild: {
    method: 'PATCH';
    path: '/builds/{id}';
    status: 200;
    params: {
      id: string;
    };
    body: FinishBuildRequest;
    response: Build;
  };
  /** The log from an offset, to stream it while the build runs */
  GetBuildLog: {
    method: 'GET';
    path: '/builds/{id}/log';
    status: 200;
    params: {
      id: string;
    };
    query: {
      /** 0, or the `nextOffset` of the previous answer. */
      offset?: number;
    };
    response: BuildLogChunk;
  };
  /** Append to a running build's log (service tokens only) */
  AppendBuildLog: {
    method: 'POST';
    path: '/builds/{id}/log';
    status: 200;
    params: {
      id: string;
    };
    body: AppendBuildLogRequest;
    response: Build;
  };
  /** The entity's builds, newest first */
  ListBuilds: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/builds';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    query: {
      limit?: number;
      /** The `nextCursor` of the previous page. */
      cursor?: string;
      status?: 'running' | 'succeeded' | 'failed';
      /** Builds of this commit; an abbreviated SHA on either side matches
       * the full one. */
      commitSha?: string;
    };
    response: {
      items: Array<Build>;
      nextCursor?: string;
    };
  };
  /** Request rate, error ratio, p99 latency and error budget left, per environment */
  GetMetrics: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/metrics';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    query: {
      /** How far back (at most 30 days) */
      window?: '1h' | '6h' | '1d' | '7d' | '30d';
      /** Only this environment (one of `paved.environments`); default all */
      environment?: string;
    };
    response: MetricsReport;
  };
  /** Alertmanager's webhook (service tokens only) */
  ReceiveAlerts: {
    method: 'POST';
    path: '/alerts/alertmanager';
    status: 200;
    body: AlertmanagerWebhook;
    response: AlertsReceived;
  };
  /** The service's firing alerts, and those resolved in the last 7 days */
  ListAlerts: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/alerts';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
    };
    response: {
      items: Array<ServiceAlert>;
    };
  };
  /** The keys the service's pods get in an environment; never values */
  ListSecrets: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    response: SecretList;
  };
  /** Set and unset keys of an environment's own secret, then restart the service */
  ChangeSecrets: {
    method: 'POST';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets';
    status: 200 | 202;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    body: SecretChangeRequest;
    response: SecretChangeResult;
  };
  /** Back to an earlier version of the environment's own secret, then restart the service */
  RollbackSecrets: {
    method: 'POST';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rollback';
    status: 200 | 202;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    body: SecretRollbackRequest;
    response: SecretChangeResult;
  };
  /** New values for generated keys (the session secret), then restart the service */
  RotateSecrets: {
    method: 'POST';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rotate';
    status: 200 | 202;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    body: SecretRotateRequest;
    response: SecretChangeResult;
  };
  /** The pods of the service's Deployment in an environment */
  ListPods: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/pods';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    response: {
      items: Array<Pod>;
    };
  };
  /** The service's container logs in an environment, as NDJSON; with follow, streamed */
  ReadLogs: {
    method: 'GET';
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/logs';
    status: 200;
    params: {
      kind: string;
      namespace: string;
      name: string;
      /** One of `paved.environments`; another is a 400 naming the known ones. */
      environment: string;
    };
    query: {
      /** One of ListPods' names; default every pod of the service. */
      pod?: string;
      /** One of the pod's containers; default its first (the service's). */
      container?: string;
      /** Lines from this long ago (`30s`, `15m`, `1h`, `2d`; at most 30
       * days) or from this time (ISO 8601, e.g. `2026-11-29T03:00:00Z`). */
      since?: string;
      /** The last N lines of what `since` selects (per pod). */
      tailLines?: number;
      /** Keep the answer open and stream new lines. */
      follow?: 'true' | 'false';
    };
    response: void;
  };
  /** DORA's four keys from the production deployments, with what each counts */
  GetDoraInsights: {
    method: 'GET';
    path: '/insights/dora';
    status: 200;
    query: {
      /** Days back from now; 7, 30 or 90. */
      window: 7 | 30 | 90;
      groupBy?: 'organisation' | 'team' | 'system' | 'service';
      /** Only this service (e.g. `component:default/orders-api`); its figures as one group. */
      entityRef?: string;
    };
    response: DoraReport;
  };
  /** Golden-path adoption for the organisation and per team */
  GetAdoptionInsights: {
    method: 'GET';
    path: '/insights/adoption';
    status: 200;
    query: {
      /** Days back from now; 7, 30 or 90. */
      window: 7 | 30 | 90;
    };
    response: AdoptionReport;
  };
  /** Ratings with their comments, and the average per action per week */
  ListFeedback: {
    method: 'GET';
    path: '/feedback';
    status: 200;
    query: {
      /** Days back from now; 7, 30 or 90. */
      window: 7 | 30 | 90;
      action?: 'create-service' | 'production-deploy';
      entityRef?: string;
    };
    response: FeedbackList;
  };
  /** Rate an action one performed (a production deploy, a Create Service run), once */
  CreateFeedback: {
    method: 'POST';
    path: '/feedback';
    status: 201;
    body: FeedbackRequest;
    response: Feedback;
  };
}

export type OperationId = keyof Operations;

/** Each operation's method and path template, e.g. `/builds/{id}`. */
export const OPERATIONS: {
  [K in OperationId]: Pick<Operations[K], 'method' | 'path'>;
} = {
  CreateDeployment: { method: 'POST', path: '/deployments' },
  GetDeployment: { method: 'GET', path: '/deployments/{id}' },
  ListEnvironments: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/environments',
  },
  ListDeployments: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/deployments',
  },
  ListAuditEvents: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/audit-events',
  },
  ListApprovals: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/approvals',
  },
  CreatePromotion: { method: 'POST', path: '/promotions' },
  GetApproval: { method: 'GET', path: '/approvals/{id}' },
  ApproveApproval: { method: 'POST', path: '/approvals/{id}/approve' },
  RejectApproval: { method: 'POST', path: '/approvals/{id}/reject' },
  CreateRollback: { method: 'POST', path: '/rollbacks' },
  CreateBuild: { method: 'POST', path: '/builds' },
  GetBuild: { method: 'GET', path: '/builds/{id}' },
  FinishBuild: { method: 'PATCH', path: '/builds/{id}' },
  GetBuildLog: { method: 'GET', path: '/builds/{id}/log' },
  AppendBuildLog: { method: 'POST', path: '/builds/{id}/log' },
  ListBuilds: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/builds',
  },
  GetMetrics: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/metrics',
  },
  ReceiveAlerts: { method: 'POST', path: '/alerts/alertmanager' },
  ListAlerts: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/alerts',
  },
  ListSecrets: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets',
  },
  ChangeSecrets: {
    method: 'POST',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets',
  },
  RollbackSecrets: {
    method: 'POST',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rollback',
  },
  RotateSecrets: {
    method: 'POST',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rotate',
  },
  ListPods: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/pods',
  },
  ReadLogs: {
    method: 'GET',
    path: '/entities/{kind}/{namespace}/{name}/environments/{environment}/logs',
  },
  GetDoraInsights: { method: 'GET', path: '/insights/dora' },
  GetAdoptionInsights: { method: 'GET', path: '/insights/adoption' },
  ListFeedback: { method: 'GET', path: '/feedback' },
  CreateFeedback: { method: 'POST', path: '/feedback' },
};

/** The operations as backend-openapi-utils' `EndpointMap` (for the typed router). */
export type EndpointMap = {
  '#post|/deployments': {
    body: Operations['CreateDeployment']['body'];
    response: Operations['CreateDeployment']['response'];
  };
  '#get|/deployments/{id}': {
    path: Operations['GetDeployment']['params'];
    response: Operations['GetDeployment']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/environments': {
    path: Operations['ListEnvironments']['params'];
    response: Operations['ListEnvironments']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/deployments': {
    path: Operations['ListDeployments']['params'];
    query: Operations['ListDeployments']['query'];
    response: Operations['ListDeployments']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/audit-events': {
    path: Operations['ListAuditEvents']['params'];
    response: Operations['ListAuditEvents']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/approvals': {
    path: Operations['ListApprovals']['params'];
    query: Operations['ListApprovals']['query'];
    response: Operations['ListApprovals']['response'];
  };
  '#post|/promotions': {
    body: Operations['CreatePromotion']['body'];
    response: Operations['CreatePromotion']['response'];
  };
  '#get|/approvals/{id}': {
    path: Operations['GetApproval']['params'];
    response: Operations['GetApproval']['response'];
  };
  '#post|/approvals/{id}/approve': {
    path: Operations['ApproveApproval']['params'];
    response: Operations['ApproveApproval']['response'];
  };
  '#post|/approvals/{id}/reject': {
    path: Operations['RejectApproval']['params'];
    body: Operations['RejectApproval']['body'];
    response: Operations['RejectApproval']['response'];
  };
  '#post|/rollbacks': {
    body: Operations['CreateRollback']['body'];
    response: Operations['CreateRollback']['response'];
  };
  '#post|/builds': {
    body: Operations['CreateBuild']['body'];
    response: Operations['CreateBuild']['response'];
  };
  '#get|/builds/{id}': {
    path: Operations['GetBuild']['params'];
    response: Operations['GetBuild']['response'];
  };
  '#patch|/builds/{id}': {
    path: Operations['FinishBuild']['params'];
    body: Operations['FinishBuild']['body'];
    response: Operations['FinishBuild']['response'];
  };
  '#get|/builds/{id}/log': {
    path: Operations['GetBuildLog']['params'];
    query: Operations['GetBuildLog']['query'];
    response: Operations['GetBuildLog']['response'];
  };
  '#post|/builds/{id}/log': {
    path: Operations['AppendBuildLog']['params'];
    body: Operations['AppendBuildLog']['body'];
    response: Operations['AppendBuildLog']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/builds': {
    path: Operations['ListBuilds']['params'];
    query: Operations['ListBuilds']['query'];
    response: Operations['ListBuilds']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/metrics': {
    path: Operations['GetMetrics']['params'];
    query: Operations['GetMetrics']['query'];
    response: Operations['GetMetrics']['response'];
  };
  '#post|/alerts/alertmanager': {
    body: Operations['ReceiveAlerts']['body'];
    response: Operations['ReceiveAlerts']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/alerts': {
    path: Operations['ListAlerts']['params'];
    response: Operations['ListAlerts']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets': {
    path: Operations['ListSecrets']['params'];
    response: Operations['ListSecrets']['response'];
  };
  '#post|/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets': {
    path: Operations['ChangeSecrets']['params'];
    body: Operations['ChangeSecrets']['body'];
    response: Operations['ChangeSecrets']['response'];
  };
  '#post|/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rollback': {
    path: Operations['RollbackSecrets']['params'];
    body: Operations['RollbackSecrets']['body'];
    response: Operations['RollbackSecrets']['response'];
  };
  '#post|/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rotate': {
    path: Operations['RotateSecrets']['params'];
    body: Operations['RotateSecrets']['body'];
    response: Operations['RotateSecrets']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/environments/{environment}/pods': {
    path: Operations['ListPods']['params'];
    response: Operations['ListPods']['response'];
  };
  '#get|/entities/{kind}/{namespace}/{name}/environments/{environment}/logs': {
    path: Operations['ReadLogs']['params'];
    query: Operations['ReadLogs']['query'];
    response: Operations['ReadLogs']['response'];
  };
  '#get|/insights/dora': {
    query: Operations['GetDoraInsights']['query'];
    response: Operations['GetDoraInsights']['response'];
  };
  '#get|/insights/adoption': {
    query: Operations['GetAdoptionInsights']['query'];
    response: Operations['GetAdoptionInsights']['response'];
  };
  '#get|/feedback': {
    query: Operations['ListFeedback']['query'];
    response: Operations['ListFeedback']['response'];
  };
  '#post|/feedback': {
    body: Operations['CreateFeedback']['body'];
    response: Operations['CreateFeedback']['response'];
  };
};

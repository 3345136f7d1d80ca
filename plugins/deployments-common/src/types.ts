import type { Operations, Schemas } from './schema';

// The records and requests of the deployments API are generated from
// plugins/deployments-backend/src/schema/openapi.yaml (./schema/openapi/generated):
// change a field there, run the generator, and tsc shows every place that
// must follow (docs/decisions/0014). The names below are the ones the code uses.

/** One deployment of an image of an entity to an environment. */
export type Deployment = Schemas.Deployment;

/** Where a deployment is in its life. */
export type DeploymentStatus = Deployment['status'];

/** The secret change a deployment rolled out: key names and versions, never values. */
export type DeploymentSecretChange = Schemas.DeploymentSecretChange;

/**
 * Why a rollout failed: the image can't be pulled, the container keeps
 * crashing or can't be created, its readiness probe never passes, no node
 * takes it, the Deployment's progress deadline passed (`Deadline`) or
 * Paved's own time limit did (`Timeout`).
 */
export type RolloutFailureReason = NonNullable<Deployment['failureReason']>;

/** The actor of what Paved does by itself, e.g. an automatic rollback. */
export const PAVED_ACTOR = 'paved:automatic';

/** What runs in one environment, live from the cluster, and the last deployment there. */
export type EnvironmentStatus = Schemas.EnvironmentStatus;

/** `not-deployed`: the environment has no Deployment of the service yet. */
export type RolloutState = EnvironmentStatus['rolloutState'];

/** A running service's answer at `<url>/healthz`. */
export type ServiceHealth = Schemas.ServiceHealth;

/** A promotion into an environment that requires approval. */
export type ApprovalRequest = Schemas.ApprovalRequest;

export type ApprovalStatus = ApprovalRequest['status'];

/** A page of deployment history, newest first. */
export type DeploymentPage = Operations['ListDeployments']['response'];

/** What `POST /promotions` did: deployed right away, or asked for approval. */
export type PromotionResult = Schemas.PromotionResult;

/** One audited action. Carries refs, names and images, never secret values. */
export type DeploymentAuditEvent = Schemas.AuditEvent;

/** `POST /deployments`: deploy an image of an entity to an environment. */
export type DeployRequest = Schemas.DeployRequest;

/** `POST /promotions`: promote what runs in one environment to another. */
export type PromoteRequest = Schemas.PromoteRequest;

/** `POST /rollbacks`: deploy an earlier, successful deployment's image again. */
export type RollbackRequest = Schemas.RollbackRequest;

/** The query of `GET /entities/:kind/:namespace/:name/deployments`. */
export type ListDeploymentsOptions = Operations['ListDeployments']['query'];

/** The query of `GET /entities/:kind/:namespace/:name/approvals`. */
export type ListApprovalsOptions = Operations['ListApprovals']['query'];

/** `GET /insights/dora`: DORA's four keys per group, with the deployments each counts. */
export type DoraReport = Schemas.DoraReport;
export type DoraGroup = Schemas.DoraGroup;
export type DoraReportFigures = Schemas.DoraFigures;
export type DoraReportTier = Schemas.DoraTier;
export type DoraWeekFigures = Schemas.DoraWeek;
/** The query of `GET /insights/dora`. */
export type DoraQuery = Operations['GetDoraInsights']['query'];

/** `GET /insights/adoption`: golden-path adoption, the organisation first, then each team. */
export type AdoptionReport = Schemas.AdoptionReport;
export type AdoptionFigures = Schemas.AdoptionFigures;
/** The query of `GET /insights/adoption`. */
export type AdoptionQuery = Operations['GetAdoptionInsights']['query'];

/** `POST /feedback`: a rating of an action the caller performed. */
export type FeedbackRequest = Schemas.FeedbackRequest;
export type FeedbackContext = Schemas.FeedbackContext;
export type Feedback = Schemas.Feedback;
/** `GET /feedback` (platform team): the window's feedback and the weekly averages per action. */
export type FeedbackList = Schemas.FeedbackList;
/** The query of `GET /feedback`. */
export type FeedbackQuery = Operations['ListFeedback']['query'];

/** A service's database login for one session (`paved db connect`); `password` is a secret. */
export type DatabaseConnection = Schemas.DatabaseConnection;

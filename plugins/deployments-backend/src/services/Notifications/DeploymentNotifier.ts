import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ApprovalRequest,
  Deployment,
  Feedback,
  ServiceAlert,
} from '@paved/plugin-deployments-common';
import { ownersOf } from '../DeploymentService/approverRule';
import type { AlertNotifier } from '../Alerts';

/** Tells people about what waits for them or concerns them; never fails the action it follows. */
export interface DeploymentNotifier {
  /** A promotion waits for approval: the owning group and the platform team, never the requester. */
  approvalRequested(approval: ApprovalRequest, entity: Entity): Promise<void>;
  /** A promotion was approved or rejected: its requester. */
  approvalDecided(approval: ApprovalRequest): Promise<void>;
  /** A deployment's rollout failed: the owners, when it was a production one. */
  deploymentFailed(
    deployment: Pick<
      Deployment,
      'id' | 'entityRef' | 'environment' | 'image' | 'requestedBy'
    >,
    entity: Entity | undefined,
    why: string,
  ): Promise<void>;
  /** A rating of 2 or less: the platform team, with the context and the comment. */
  lowRating(feedback: Feedback): Promise<void>;
}

/** The link to a tab of a service's entity page (default Environments: deploys, approvals), from its entity ref. */
export function deploymentsLinkOf(
  entityRef: string,
  tab: 'environments' | 'metrics' = 'environments',
): string {
  const match = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(entityRef);
  if (!match) return '/catalog';
  const [, kind, namespace = 'default', name] = match;
  return `/catalog/${namespace}/${kind.toLocaleLowerCase(
    'en-US',
  )}/${name}/${tab}`;
}

/** Sends through Backstage's notifications backend (notificationService); signals push them to open pages. */
export class BackstageDeploymentNotifier
  implements DeploymentNotifier, AlertNotifier
{
  constructor(
    private readonly options: {
      notifications: NotificationService;
      logger: LoggerService;
      /** The platform team's group ref (config `paved.platformTeam`). */
      platformTeam: string;
      /** Failures there notify the owners. */
      productionEnvironment: string;
    },
  ) {}

  async approvalRequested(approval: ApprovalRequest, entity: Entity) {
    await this.send(`approval ${approval.id}`, {
      recipients: {
        type: 'entity',
        entityRef: [...ownersOf(entity), this.options.platformTeam],
        excludeEntityRef: approval.requestedBy,
      },
      payload: {
        title: `Approval requested: ${approval.entityRef} to ${approval.toEnvironment}`,
        description: `${approval.requestedBy} asks to promote ${approval.image} from ${approval.fromEnvironment} to ${approval.toEnvironment} (approval ${approval.id}).`,
        link: deploymentsLinkOf(approval.entityRef),
        severity: 'high',
        topic: 'paved-approvals',
        scope: `approval:${approval.id}`,
      },
    });
  }

  async approvalDecided(approval: ApprovalRequest) {
    await this.send(`approval ${approval.id}`, {
      recipients: { type: 'entity', entityRef: approval.requestedBy },
      payload: {
        title: `Promotion ${approval.status}: ${approval.entityRef} to ${approval.toEnvironment}`,
        description: `${approval.decidedBy ?? 'An approver'} ${
          approval.status
        } the promotion of ${approval.image} to ${approval.toEnvironment}.`,
        link: deploymentsLinkOf(approval.entityRef),
        severity: approval.status === 'rejected' ? 'high' : 'normal',
        topic: 'paved-approvals',
        scope: `approval-decided:${approval.id}`,
      },
    });
  }

  async deploymentFailed(
    deployment: Pick<
      Deployment,
      'id' | 'entityRef' | 'environment' | 'image' | 'requestedBy'
    >,
    entity: Entity | undefined,
    why: string,
  ) {
    if (deployment.environment !== this.options.productionEnvironment) return;
    const owners = entity ? ownersOf(entity) : [];
    if (owners.length === 0) return;
    await this.send(`deployment ${deployment.id}`, {
      recipients: { type: 'entity', entityRef: owners },
      payload: {
        title: `Production deploy failed: ${deployment.entityRef}`,
        description: `The deployment of ${deployment.image} by ${deployment.requestedBy} failed: ${why}`,
        link: deploymentsLinkOf(deployment.entityRef),
        severity: 'critical',
        topic: 'paved-deployments',
        scope: `deployment-failed:${deployment.id}`,
      },
    });
  }

  async lowRating(feedback: Feedback) {
    const { context } = feedback;
    const subject = context.deploymentId
      ? `deployment ${context.deploymentId}`
      : `task ${context.taskId}`;
    const rated = `${feedback.user} rated ${context.action} (${subject}, on ${context.page}) ${feedback.rating}/5 [${feedback.category}]`;
    await this.send(`feedback ${feedback.id}`, {
      recipients: { type: 'entity', entityRef: this.options.platformTeam },
      payload: {
        title: `Rated ${feedback.rating}/5: ${context.action} of ${context.entityRef}`,
        // The comment first: the notifications page shows a description's first 100 characters.
        description: feedback.comment
          ? `"${feedback.comment}": ${rated}`
          : `${rated} without a comment`,
        link: '/insights',
        severity: 'high',
        topic: 'paved-feedback',
        scope: `feedback:${feedback.id}`,
      },
    });
  }

  /**
   * An SLO alert fires: the entity's owners, linked to its Metrics tab. One notification per
   * alert instance (its scope): the resolution updates it rather than adding another.
   */
  async alertFiring(alert: ServiceAlert, entity: Entity) {
    await this.sendAlert(alert, entity, {
      title: `Alert firing: ${alert.alertname} on ${entity.metadata.name} (${alert.environment})`,
      description: alert.description
        ? `${alert.summary}. ${alert.description}`
        : alert.summary,
      severity: alert.severity === 'page' ? 'critical' : 'high',
    });
  }

  async alertResolved(alert: ServiceAlert, entity: Entity) {
    await this.sendAlert(alert, entity, {
      title: `Alert resolved: ${alert.alertname} on ${entity.metadata.name} (${alert.environment})`,
      description: `Resolved at ${alert.resolvedAt}; it fired at ${alert.startsAt}: ${alert.summary}.`,
      severity: 'normal',
    });
  }

  private async sendAlert(
    alert: ServiceAlert,
    entity: Entity,
    payload: {
      title: string;
      description: string;
      severity: 'critical' | 'high' | 'normal';
    },
  ) {
    const owners = ownersOf(entity);
    if (owners.length === 0) {
      this.options.logger.warn(
        `Alert ${alert.alertname} of ${alert.entityRef} has nobody to tell: the entity has no owner`,
      );
      return;
    }
    await this.send(`alert ${alert.alertname} of ${alert.entityRef}`, {
      recipients: { type: 'entity', entityRef: owners },
      payload: {
        ...payload,
        link: deploymentsLinkOf(alert.entityRef, 'metrics'),
        topic: 'paved-alerts',
        scope: `alert:${alert.id}`,
      },
    });
  }

  private async send(
    what: string,
    options: Parameters<NotificationService['send']>[0],
  ) {
    try {
      await this.options.notifications.send(options);
    } catch (error) {
      this.options.logger.warn(
        `Could not send the notification about ${what}: ${
          (error as Error)?.message ?? error
        }`,
      );
    }
  }
}

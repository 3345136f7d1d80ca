import { AuditorService } from '@backstage/backend-plugin-api';
import { DeploymentAuditEvent } from '@paved/plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { DeploymentStore } from '../DeploymentStore';

/** An audit event before it has an outcome. */
export type AuditedAction = Omit<
  DeploymentAuditEvent,
  'id' | 'createdAt' | 'result'
> & {
  /** Set when the action leaves something pending (a promotion awaiting approval): recorded as `pending` with this message. */
  pendingMessage?: string;
};

/** Writes the deployments' audit trail: a row per action and outcome, and Backstage's auditor event. */
export interface DeploymentAuditWriter {
  /**
   * Runs an action, recording its outcome (succeeded, pending, or failed with
   * the error's message); the action's error is rethrown.
   */
  audited<T>(
    event: AuditedAction,
    action: () => Promise<T>,
    deploymentIdOf?: (result: T) => string | undefined,
  ): Promise<T>;
  /** Records an event that happened without an action of a caller (a rollout's end). */
  record(event: Omit<DeploymentAuditEvent, 'id' | 'createdAt'>): Promise<void>;
}

export const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** Audit rows in the deployment store, plus Backstage's auditor when there is one. */
export class DefaultDeploymentAuditWriter implements DeploymentAuditWriter {
  constructor(
    private readonly options: {
      store: Pick<DeploymentStore, 'addAuditEvent'>;
      auditor?: AuditorService;
      now?: () => Date;
    },
  ) {}

  async audited<T>(
    event: AuditedAction,
    action: () => Promise<T>,
    deploymentIdOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const { pendingMessage, ...fields } = event;
    const auditorEvent = await this.options.auditor?.createEvent({
      eventId: `deployment-${event.action}`,
      severityLevel: event.action === 'approve' ? 'high' : 'medium',
      meta: {
        actor: event.actor,
        entityRef: event.entityRef,
        environment: event.environment ?? null,
        image: event.image ?? null,
      },
    });
    try {
      const result = await action();
      const deploymentId = deploymentIdOf?.(result);
      await this.record({
        ...fields,
        result: pendingMessage ? 'pending' : 'succeeded',
        message: pendingMessage ?? fields.message,
        deploymentId,
      });
      await auditorEvent?.success({
        meta: deploymentId ? { deploymentId } : undefined,
      });
      return result;
    } catch (error) {
      await this.record({
        ...fields,
        result: 'failed',
        message: errorMessage(error),
      });
      await auditorEvent?.fail({ error: error as Error });
      throw error;
    }
  }

  async record(
    event: Omit<DeploymentAuditEvent, 'id' | 'createdAt'>,
  ): Promise<void> {
    await this.options.store.addAuditEvent({
      id: randomUUID(),
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      ...event,
    });
  }
}

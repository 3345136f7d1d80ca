import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  Feedback,
  FeedbackList,
  FeedbackQuery,
  FeedbackRequest,
} from '@paved/plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../DeploymentService';
import type { MembershipSource } from '../DeploymentService/approverRule';
import type { DeploymentStore } from '../DeploymentStore';
import type { DeploymentNotifier } from '../Notifications';
import { FeedbackStore } from './FeedbackStore';
import { weeklyAverages } from './weekly';

/** Ratings of the actions people performed, and their list for the platform team. */
export interface FeedbackService {
  create(request: FeedbackRequest, caller: Caller): Promise<Feedback>;
  list(query: FeedbackQuery, caller: Caller): Promise<FeedbackList>;
}

/** Who started a scaffolder task, asked with the caller's credentials; undefined when there is none they may see. */
export interface ScaffolderTasks {
  createdBy(
    taskId: string,
    credentials: BackstageCredentials,
  ): Promise<{ createdBy?: string } | undefined>;
}

export interface DefaultFeedbackServiceOptions {
  store: FeedbackStore;
  deployments: Pick<DeploymentStore, 'getDeployment'>;
  tasks: ScaffolderTasks;
  membership: MembershipSource;
  /** The platform team's group ref (`paved.platformTeam`): reads the list, told of low ratings. */
  platformTeam: string;
  /** The environment whose deployments are rated as production deploys. */
  productionEnvironment: string;
  notifier?: Pick<DeploymentNotifier, 'lowRating'>;
  now?: () => Date;
}

/** A rating of 2 or less tells the platform team. */
export const LOW_RATING = 2;

/**
 * A user rates what they did, once: their own production deployment (the
 * deployment store says who requested it) or their own Create Service task
 * (the scaffolder says who started it).
 */
export class DefaultFeedbackService implements FeedbackService {
  constructor(private readonly options: DefaultFeedbackServiceOptions) {}

  async create(request: FeedbackRequest, caller: Caller): Promise<Feedback> {
    const user = caller.userEntityRef;
    if (!user) throw new NotAllowedError('Only a user can give feedback');
    const { context } = request;
    const subjectId = await this.subjectOf(request, user, caller);
    if (await this.options.store.exists(user, context.action, subjectId)) {
      throw new ConflictError(
        `${user} rated this ${context.action} already (${subjectId})`,
      );
    }
    const feedback: Feedback = {
      id: randomUUID(),
      rating: request.rating,
      category: request.category,
      ...(request.comment ? { comment: request.comment } : {}),
      context: {
        page: context.page,
        action: context.action,
        entityRef: context.entityRef,
        ...(context.action === 'production-deploy'
          ? { deploymentId: subjectId }
          : { taskId: subjectId }),
      },
      user,
      createdAt: this.now().toISOString(),
    };
    if (!(await this.options.store.insert(feedback, subjectId))) {
      throw new ConflictError(
        `${user} rated this ${context.action} already (${subjectId})`,
      );
    }
    if (feedback.rating <= LOW_RATING) {
      await this.options.notifier?.lowRating(feedback);
    }
    return feedback;
  }

  async list(query: FeedbackQuery, caller: Caller): Promise<FeedbackList> {
    const user = caller.userEntityRef;
    const platformTeam = this.options.platformTeam.toLocaleLowerCase('en-US');
    const groups = user
      ? await this.options.membership.groupsOf(user, caller.credentials)
      : [];
    if (!groups.some(g => g.toLocaleLowerCase('en-US') === platformTeam)) {
      throw new NotAllowedError(
        `Feedback and its comments are for members of ${this.options.platformTeam} only`,
      );
    }
    const now = this.now();
    const items = await this.options.store.list({
      since: new Date(now.getTime() - query.window * 86_400_000).toISOString(),
      action: query.action,
      entityRef: query.entityRef,
    });
    return {
      window: query.window,
      items,
      weekly: weeklyAverages(items, query.window, now),
    };
  }

  /** The id of the rated action, once it is known to be the caller's. */
  private async subjectOf(
    { context }: FeedbackRequest,
    user: string,
    caller: Caller,
  ): Promise<string> {
    if (context.action === 'production-deploy') {
      if (!context.deploymentId) {
        throw new InputError(
          'context.deploymentId: a production-deploy rating names the deployment rated',
        );
      }
      const deployment = await this.options.deployments.getDeployment(
        context.deploymentId,
      );
      // Another's deployment is not told apart from a missing one.
      if (!deployment || deployment.requestedBy !== user) {
        throw new NotFoundError(
          `context.deploymentId: no deployment ${context.deploymentId} of yours`,
        );
      }
      if (deployment.environment !== this.options.productionEnvironment) {
        throw new InputError(
          `context.deploymentId: deployment ${context.deploymentId} went to ${deployment.environment}, not ${this.options.productionEnvironment}`,
        );
      }
      if (
        deployment.entityRef.toLocaleLowerCase('en-US') !==
        context.entityRef.toLocaleLowerCase('en-US')
      ) {
        throw new InputError(
          `context.entityRef: deployment ${context.deploymentId} is of ${deployment.entityRef}`,
        );
      }
      return deployment.id;
    }
    if (!context.taskId) {
      throw new InputError(
        'context.taskId: a create-service rating names the scaffolder task rated',
      );
    }
    const task = await this.options.tasks.createdBy(
      context.taskId,
      caller.credentials,
    );
    if (!task || task.createdBy !== user) {
      throw new NotFoundError(
        `context.taskId: no Create Service task ${context.taskId} of yours`,
      );
    }
    return context.taskId;
  }

  private now() {
    return (this.options.now ?? (() => new Date()))();
  }
}

import { CustomErrorBase } from '@backstage/errors';
import { DEPLOYMENT_IN_PROGRESS_ERROR } from '@paved/plugin-deployments-common';

/**
 * Another deployment of the entity to the environment holds the lock: a 409
 * that clients tell apart from other conflicts by its name
 * (`DEPLOYMENT_IN_PROGRESS_ERROR`), never by its message.
 */
export class DeploymentInProgressError extends CustomErrorBase {
  name = DEPLOYMENT_IN_PROGRESS_ERROR;
  /** Backstage's error handler answers with this status (it reads it before the name). */
  readonly statusCode = 409;
}

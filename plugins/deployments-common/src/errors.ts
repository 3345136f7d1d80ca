/**
 * The `error.name` of a 409 answered when another deployment of the same
 * entity to the same environment is under way (the lock is held). Clients
 * tell it apart from other conflicts (an approval decided already, a build
 * finished already: `ConflictError`) by this name, never by the message.
 */
export const DEPLOYMENT_IN_PROGRESS_ERROR = 'DeploymentInProgressError';

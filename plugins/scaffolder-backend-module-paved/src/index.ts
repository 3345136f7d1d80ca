/**
 * Paved's golden-path actions for the Backstage scaffolder.
 *
 * @packageDocumentation
 */
export { scaffolderModulePaved as default } from './module';
export {
  createAssertNameAvailableAction,
  SERVICE_NAME_PATTERN,
} from './actions/assertNameAvailable';
export { createAwaitEntityAction } from './actions/awaitEntity';
export { createAwaitBuildAction } from './actions/awaitBuild';
export { createAssertEntityExistsAction } from './actions/assertEntityExists';
export { createPublishToGitRemoteAction } from './actions/publishToGitRemote';

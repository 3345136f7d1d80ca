/**
 * Deploy golden-path services from the entity page: the "Environments" and
 * "Logs" tabs and the Deploy button, over the deployments backend.
 *
 * @packageDocumentation
 */
export { deploymentsPlugin as default } from './plugin';
export {
  buildsEntityCard,
  deploymentsApi,
  deploymentsEntityCard,
  environmentsEntityContent,
  insightsEntityCard,
  insightsPage,
  insightsRouteRef,
  logsEntityContent,
  secretsEntityCard,
} from './plugin';
export * from './api';
export { isGoldenPath } from './filters';

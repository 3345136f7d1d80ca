export * from './dora';
export type { InsightsDeployment, InsightsStore } from './InsightsStore';
export { KnexInsightsStore } from './KnexInsightsStore';
export { DefaultInsightsService } from './InsightsService';
export type {
  DefaultInsightsServiceOptions,
  InsightsService,
} from './InsightsService';
export * from './adoption';
export { ScaffolderTemplateRuns } from './ScaffolderTemplateRuns';
export type { TemplateRunSource } from './ScaffolderTemplateRuns';

export * from './dora';
export type { InsightsDeployment, InsightsStore } from './InsightsStore';
export { KnexInsightsStore } from './KnexInsightsStore';

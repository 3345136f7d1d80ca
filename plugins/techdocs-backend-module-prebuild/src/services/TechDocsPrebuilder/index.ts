export { DefaultTechDocsPrebuilder } from './DefaultTechDocsPrebuilder';
export type { PrebuildResult, TechDocsPrebuilder } from './types';

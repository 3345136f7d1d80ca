/**
 * Builds every catalog entity's TechDocs on a schedule.
 *
 * @packageDocumentation
 */
export { techdocsModulePrebuild as default } from './module';
export { DefaultTechDocsPrebuilder } from './services/TechDocsPrebuilder';
export type {
  PrebuildResult,
  TechDocsPrebuilder,
} from './services/TechDocsPrebuilder';

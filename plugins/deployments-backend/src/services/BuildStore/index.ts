export { KnexBuildStore, keepLogTail } from './KnexBuildStore';
export type {
  BuildChange,
  BuildOutcome,
  BuildStore,
  NewBuild,
  StoredBuild,
} from './BuildStore';

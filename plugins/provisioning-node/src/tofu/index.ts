export { DefaultTofuRunner } from './TofuRunner';
export type { DefaultTofuRunnerOptions } from './TofuRunner';
export type {
  TofuChangeAction,
  TofuModuleRun,
  TofuOutput,
  TofuPlan,
  TofuRunner,
  TofuSettings,
} from './types';

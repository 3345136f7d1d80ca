export { DefaultTofuRunner } from './TofuRunner';
export type {
  TofuChangeAction,
  TofuModuleRun,
  TofuOutput,
  TofuPlan,
  TofuRunner,
  TofuSettings,
} from './types';

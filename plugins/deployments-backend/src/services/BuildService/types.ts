import {
  AppendBuildLogRequest,
  Build,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  CreateBuildRequest,
  FinishBuildRequest,
  ListBuildsOptions,
} from '@paved/plugin-deployments-common';
import { Caller } from '../DeploymentService';

export type {
  AppendBuildLogRequest,
  CreateBuildRequest,
  FinishBuildRequest,
  ListBuildsOptions,
};

/**
 * Build records: posted by the builder or a CI (service principals only),
 * read by people with catalog read access to the entity and by services.
 */
export interface BuildService {
  /** Throws a NotAllowedError unless the caller may record builds (a service principal). */
  assertMayRecord(caller: Caller): void;
  createBuild(request: CreateBuildRequest, caller: Caller): Promise<Build>;
  appendLog(
    id: string,
    request: AppendBuildLogRequest,
    caller: Caller,
  ): Promise<Build>;
  finishBuild(
    id: string,
    request: FinishBuildRequest,
    caller: Caller,
  ): Promise<Build>;
  listBuilds(
    entityRef: string,
    options: ListBuildsOptions,
    caller: Caller,
  ): Promise<BuildPage>;
  getBuild(id: string, caller: Caller): Promise<BuildWithLog>;
  /** The log from `offset` (a `nextOffset` of an earlier answer, or 0). */
  getBuildLog(
    id: string,
    offset: number,
    caller: Caller,
  ): Promise<BuildLogChunk>;
}

import type { Operations, Schemas } from './schema';

/** Where a build is: running until the builder (or CI) reports how it ended. */
export type BuildStatus = Schemas.Build['status'];

/** The statuses a build may be finished with (`PATCH /builds/:id`). */
export type FinishedBuildStatus = Schemas.FinishBuildRequest['status'];

export const BUILD_STATUSES: readonly BuildStatus[] = [
  'running',
  'succeeded',
  'failed',
];

/**
 * One build of a commit of a service's repository into an image, as the
 * local builder or a company's CI reported it.
 */
export type Build = Schemas.Build;

/** `GET /builds/:id`: the build with the log the backend kept. */
export type BuildWithLog = Schemas.BuildWithLog;

/** The backend keeps the last this many characters of a build's log (1 Mi). */
export const BUILD_LOG_LIMIT = 1024 * 1024;

/** `GET /builds/:id/log?offset=`: the log from an offset, to stream it. */
export type BuildLogChunk = Schemas.BuildLogChunk;

/** A page of builds, newest first. */
export type BuildPage = Operations['ListBuilds']['response'];

/** The commit a build is of. */
export type BuildCommit = Schemas.BuildCommit;

/** `POST /builds` (service principals only): a build started, or one that already ended. */
export type CreateBuildRequest = Schemas.CreateBuildRequest;

/** `POST /builds/:id/log` (service principals only): appends to a running build's log. */
export type AppendBuildLogRequest = Schemas.AppendBuildLogRequest;

/** `PATCH /builds/:id` (service principals only): how a running build ended. */
export type FinishBuildRequest = Schemas.FinishBuildRequest;

/** The query of `GET /entities/:kind/:namespace/:name/builds`. */
export type ListBuildsOptions = Operations['ListBuilds']['query'];

/** True once a build succeeded or failed. */
export const isBuildFinished = (build?: { status: BuildStatus }) =>
  build?.status === 'succeeded' || build?.status === 'failed';

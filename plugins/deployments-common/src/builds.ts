/** Where a build is: running until the builder (or CI) reports how it ended. */
export type BuildStatus = 'running' | 'succeeded' | 'failed';

/** The statuses a build may be finished with (`PATCH /builds/:id`). */
export type FinishedBuildStatus = Exclude<BuildStatus, 'running'>;

export const BUILD_STATUSES: readonly BuildStatus[] = [
  'running',
  'succeeded',
  'failed',
];

/**
 * One build of a commit of a service's repository into an image, as the
 * local builder or a company's CI reported it.
 */
export interface Build {
  /** A uuid. */
  id: string;
  /** `component:<namespace>/<name>`; it may not be in the catalog yet. */
  entityRef: string;
  /** The full or abbreviated (7+) SHA, lowercase. */
  commitSha: string;
  commitMessage?: string;
  /** e.g. `Alice <alice@example.com>` */
  commitAuthor?: string;
  /** ISO 8601 */
  commitTime?: string;
  status: BuildStatus;
  /** The image it pushed, e.g. `registry.paved.local/orders-api:<sha>`. */
  image?: string;
  /** `sha256:<64 hex>` of the pushed image. */
  digest?: string;
  /** How it ended, in words; for a failed build, the cause. */
  message?: string;
  /** ISO 8601 */
  startedAt: string;
  /** ISO 8601, once finished. */
  finishedAt?: string;
  /** finishedAt − startedAt, computed by the backend once finished. */
  durationMs?: number;
  /** The service principal that posted it, e.g. `paved-builder`. */
  createdBy: string;
  /** Characters of log ever appended (the offset after the last one). */
  logSize: number;
  /** True when the start of the log was dropped to keep the last {@link BUILD_LOG_LIMIT} characters. */
  logTruncated: boolean;
}

/** `GET /builds/:id`: the build with the log the backend kept. */
export interface BuildWithLog extends Build {
  /** The log from `logOffset` on. */
  log: string;
  /** Where `log` starts in the whole log (0 unless truncated). */
  logOffset: number;
}

/** The backend keeps the last this many characters of a build's log (1 Mi). */
export const BUILD_LOG_LIMIT = 1024 * 1024;

/** `GET /builds/:id/log?offset=`: the log from an offset, to stream it. */
export interface BuildLogChunk {
  /** The text from `offset` to `nextOffset`. */
  text: string;
  /**
   * Where `text` starts: the offset asked for, or later when the part from
   * there was dropped (see `truncated`).
   */
  offset: number;
  /** Ask for this offset next time. */
  nextOffset: number;
  /** True when text between the offset asked for and `offset` was dropped. */
  truncated: boolean;
  status: BuildStatus;
  /** True once the build succeeded or failed: nothing more will be appended. */
  finished: boolean;
}

/** A page of builds, newest first. */
export interface BuildPage {
  items: Build[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** The commit a build is of. */
export interface BuildCommit {
  /** 7 to 40 hexadecimal characters. */
  sha: string;
  message?: string;
  author?: string;
  /** ISO 8601 */
  time?: string;
}

/** `POST /builds` (service principals only): a build started, or one that already ended. */
export interface CreateBuildRequest {
  /** `component:<namespace>/<name>` */
  entityRef: string;
  commit: BuildCommit;
  status: BuildStatus;
  /** Required when status is `succeeded`. */
  image?: string;
  digest?: string;
  /** The log so far. */
  log?: string;
  /** ISO 8601; default: now. */
  startedAt?: string;
  /** For a build posted already finished: how it ended. */
  message?: string;
  /** For a build posted already finished; default: now. */
  finishedAt?: string;
}

/** `POST /builds/:id/log` (service principals only): appends to a running build's log. */
export interface AppendBuildLogRequest {
  text: string;
}

/** `PATCH /builds/:id` (service principals only): how a running build ended. */
export interface FinishBuildRequest {
  status: FinishedBuildStatus;
  /** Required for `succeeded` unless the build was posted with one. */
  image?: string;
  digest?: string;
  /** For a failed build: the cause, e.g. "no Dockerfile at the repository root". */
  message?: string;
  /** The last log lines, appended before the build is closed. */
  log?: string;
  /** ISO 8601; default: now. */
  finishedAt?: string;
}

/** The query of `GET /entities/:kind/:namespace/:name/builds`. */
export interface ListBuildsOptions {
  /** 1 to 100, default 20. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  status?: BuildStatus;
  /** Only builds of this commit (7 to 40 hex characters; an abbreviated SHA on either side matches its full SHA). */
  commitSha?: string;
}

/** True once a build succeeded or failed. */
export const isBuildFinished = (build?: { status: BuildStatus }) =>
  build?.status === 'succeeded' || build?.status === 'failed';

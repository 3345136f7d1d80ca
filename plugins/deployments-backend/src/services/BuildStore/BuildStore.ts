import {
  Build,
  BuildStatus,
  FinishedBuildStatus,
} from '@paved/plugin-deployments-common';

/** A build as stored: the API record without what the service computes from it. */
export interface StoredBuild
  extends Omit<Build, 'durationMs' | 'logTruncated'> {
  /** Where the kept log starts in the whole log; above 0 once its start was dropped. */
  logOffset: number;
}

/** A new build, with the start of its log. */
export type NewBuild = Omit<StoredBuild, 'logSize' | 'logOffset'> & {
  log: string;
};

/** How a running build ended. */
export interface BuildOutcome {
  status: FinishedBuildStatus;
  /** Kept as it was when absent. */
  image?: string;
  digest?: string;
  message?: string;
  finishedAt: string;
  /** The last log lines, appended as the build is closed. */
  log?: string;
}

/**
 * What happened to a change of a build: done, or why not (`missing`: no
 * such build; `finished`: it had ended already, so nothing was changed).
 */
export type BuildChange = 'done' | 'missing' | 'finished';

/**
 * Builds in the plugin's database. Logs are kept up to `logLimit`
 * characters: appending past it drops the start of the log, and
 * `logOffset` says how much was dropped, so offsets stay those of the
 * whole log.
 */
export interface BuildStore {
  insertBuild(build: NewBuild, options: { logLimit: number }): Promise<void>;
  getBuild(id: string): Promise<StoredBuild | undefined>;
  /** The build with the log it keeps. */
  getBuildWithLog(
    id: string,
  ): Promise<{ build: StoredBuild; log: string } | undefined>;
  /** Appends to a running build's log. */
  appendLog(
    id: string,
    text: string,
    options: { logLimit: number },
  ): Promise<BuildChange>;
  /** Finishes a running build; `finished` when it had ended already. */
  finishBuild(
    id: string,
    outcome: BuildOutcome,
    options: { logLimit: number },
  ): Promise<BuildChange>;
  /** An entity's builds, newest first; `cursor` is the `seq` below which to continue. */
  listBuilds(options: {
    entityRef: string;
    status?: BuildStatus;
    /** Builds of this commit: either SHA may be an abbreviation of the other. */
    commitSha?: string;
    limit: number;
    cursor?: number;
  }): Promise<{ items: StoredBuild[]; nextCursor?: number }>;
}

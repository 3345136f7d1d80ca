import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ConflictError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Build,
  BUILD_LOG_LIMIT,
  BuildLogChunk,
  BuildPage,
  BuildWithLog,
  isBuildFinished,
} from '@paved/plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { BuildStore, StoredBuild } from '../BuildStore';
import { Caller } from '../DeploymentService';
import { cursorOut, parsePage } from '../paging';
import {
  AppendBuildLogRequest,
  BuildService,
  CreateBuildRequest,
  FinishBuildRequest,
  ListBuildsOptions,
} from './types';
import * as valid from './validation';

export interface DefaultBuildServiceOptions {
  store: BuildStore;
  /** Users see an entity's builds when the catalog lets them read the entity. */
  catalog: CatalogService;
  /** Characters of log kept per build (its end); default {@link BUILD_LOG_LIMIT}. */
  logLimit?: number;
  now?: () => Date;
}

const principalOf = (caller: Caller) =>
  caller.credentials.principal as { type: string; subject: string };

/** The API record of a stored build: the duration computed, the log's offset hidden. */
function toApi({ logOffset, ...build }: StoredBuild): Build {
  return {
    ...build,
    durationMs: build.finishedAt
      ? Date.parse(build.finishedAt) - Date.parse(build.startedAt)
      : undefined,
    logTruncated: logOffset > 0,
  };
}

/**
 * Records builds: the builder and CIs post them with a service token; people
 * and plugins read them.
 */
export class DefaultBuildService implements BuildService {
  private readonly logLimit: number;
  private readonly now: () => Date;

  constructor(private readonly options: DefaultBuildServiceOptions) {
    this.logLimit = options.logLimit ?? BUILD_LOG_LIMIT;
    this.now = options.now ?? (() => new Date());
  }

  async createBuild(
    request: CreateBuildRequest,
    caller: Caller,
  ): Promise<Build> {
    const createdBy = this.requireService(caller);
    const entityRef = valid.buildEntityRef(request.entityRef);
    const sha = valid.commitSha(request.commit.sha);
    const now = this.now().toISOString();
    const startedAt = request.startedAt
      ? valid.isoTime(request.startedAt, 'startedAt')
      : now;
    const finished = request.status !== 'running';
    if (!finished && request.finishedAt) {
      throw new InputError(
        'finishedAt: a running build has no finishedAt; send it with PATCH /builds/{id} when the build ends',
      );
    }
    const finishedAt = finished
      ? this.finishTime(request.finishedAt, startedAt)
      : undefined;
    if (request.status === 'succeeded' && !request.image) {
      throw this.imageRequired();
    }
    const id = randomUUID();
    await this.options.store.insertBuild(
      {
        id,
        entityRef,
        commitSha: sha,
        commitMessage: text(request.commit.message),
        commitAuthor: text(request.commit.author),
        commitTime: request.commit.time
          ? valid.isoTime(request.commit.time, 'commit.time')
          : undefined,
        status: request.status,
        image: request.image ? valid.image(request.image) : undefined,
        digest: request.digest ? valid.digest(request.digest) : undefined,
        message: text(request.message),
        startedAt,
        finishedAt,
        createdBy,
        log: valid.storableText(request.log ?? ''),
      },
      { logLimit: this.logLimit },
    );
    return toApi((await this.options.store.getBuild(id))!);
  }

  async appendLog(
    id: string,
    request: AppendBuildLogRequest,
    caller: Caller,
  ): Promise<Build> {
    this.requireService(caller, 'append to build logs');
    const change = await this.options.store.appendLog(
      id,
      valid.storableText(request.text),
      { logLimit: this.logLimit },
    );
    return this.afterChange(
      id,
      change,
      'its log is closed; send the last lines with PATCH /builds/{id} (field log) or before it',
    );
  }

  async finishBuild(
    id: string,
    request: FinishBuildRequest,
    caller: Caller,
  ): Promise<Build> {
    this.requireService(caller, 'finish builds');
    const build = await this.options.store.getBuild(id);
    if (!build) throw new NotFoundError(`No build ${id}`);
    if (isBuildFinished(build)) throw this.alreadyFinished(build);
    if (request.status === 'succeeded' && !request.image && !build.image) {
      throw this.imageRequired();
    }
    const change = await this.options.store.finishBuild(
      id,
      {
        status: request.status,
        image: request.image ? valid.image(request.image) : undefined,
        digest: request.digest ? valid.digest(request.digest) : undefined,
        message: text(request.message),
        log: request.log ? valid.storableText(request.log) : undefined,
        finishedAt: this.finishTime(request.finishedAt, build.startedAt),
      },
      { logLimit: this.logLimit },
    );
    return this.afterChange(id, change, 'a finished build is not changed');
  }

  async listBuilds(
    entityRef: string,
    options: ListBuildsOptions,
    caller: Caller,
  ): Promise<BuildPage> {
    const ref = valid.buildEntityRef(entityRef);
    await this.checkRead(ref, caller);
    const { limit, cursor } = parsePage(options);
    const page = await this.options.store.listBuilds({
      entityRef: ref,
      status: options.status,
      commitSha: options.commitSha
        ? valid.commitSha(options.commitSha, 'commitSha')
        : undefined,
      limit,
      cursor,
    });
    return {
      items: page.items.map(toApi),
      nextCursor: cursorOut(page.nextCursor),
    };
  }

  async getBuild(id: string, caller: Caller): Promise<BuildWithLog> {
    const found = await this.options.store.getBuildWithLog(id);
    if (!found) throw new NotFoundError(`No build ${id}`);
    await this.checkRead(found.build.entityRef, caller, id);
    return {
      ...toApi(found.build),
      log: found.log,
      logOffset: found.build.logOffset,
    };
  }

  async getBuildLog(
    id: string,
    offset: number,
    caller: Caller,
  ): Promise<BuildLogChunk> {
    const found = await this.options.store.getBuildWithLog(id);
    if (!found) throw new NotFoundError(`No build ${id}`);
    const { build, log } = found;
    await this.checkRead(build.entityRef, caller, id);
    if (offset > build.logSize) {
      throw new InputError(
        `offset: ${offset} is past the end of the log (${build.logSize} characters); send 0 or the nextOffset of the previous answer`,
      );
    }
    const start = Math.max(offset, build.logOffset);
    return {
      text: log.slice(start - build.logOffset),
      offset: start,
      nextOffset: build.logSize,
      truncated: start > offset,
      status: build.status,
      finished: isBuildFinished(build),
    };
  }

  assertMayRecord(caller: Caller): void {
    this.requireService(caller);
  }

  /** The principal's subject, e.g. `paved-builder`; 403 for people. */
  private requireService(caller: Caller, what = 'post builds'): string {
    const principal = principalOf(caller);
    if (principal.type !== 'service') {
      throw new NotAllowedError(
        `Only CI and service tokens may ${what}; a user token may read builds but not record them. ` +
          'Give the builder or CI a static token (backend.auth.externalAccess, type static).',
      );
    }
    return principal.subject;
  }

  /**
   * Services (the builder, CI, the scaffolder) read every build; people
   * read the builds of entities the catalog lets them read.
   */
  private async checkRead(entityRef: string, caller: Caller, buildId?: string) {
    if (principalOf(caller).type === 'service') return;
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(
        buildId
          ? `No build ${buildId}`
          : `No entity ${entityRef} in the catalog`,
      );
    }
  }

  private finishTime(
    value: string | null | undefined,
    startedAt: string,
  ): string {
    if (!value) return this.now().toISOString();
    const finishedAt = valid.isoTime(value, 'finishedAt');
    if (finishedAt < startedAt) {
      throw new InputError(
        `finishedAt: ${finishedAt} is before the build started (${startedAt})`,
      );
    }
    return finishedAt;
  }

  private async afterChange(
    id: string,
    change: 'done' | 'missing' | 'finished',
    finishedNote: string,
  ): Promise<Build> {
    const build = await this.options.store.getBuild(id);
    if (change === 'missing' || !build)
      throw new NotFoundError(`No build ${id}`);
    if (change === 'finished') throw this.alreadyFinished(build, finishedNote);
    return toApi(build);
  }

  private alreadyFinished(
    build: StoredBuild,
    note = 'a finished build is not changed',
  ) {
    return new ConflictError(
      `Build ${build.id} already ${build.status} at ${build.finishedAt}; ${note}. A new run is a new build (POST /builds).`,
    );
  }

  private imageRequired() {
    return new InputError(
      'image: a succeeded build names the image it pushed, e.g. registry.paved.local/orders-api:<commit sha>',
    );
  }
}

/** Optional free text, as stored; `null` (as CIs send it) counts as absent. */
function text(value: string | null | undefined): string | undefined {
  return value === undefined || value === null
    ? undefined
    : valid.storableText(value);
}

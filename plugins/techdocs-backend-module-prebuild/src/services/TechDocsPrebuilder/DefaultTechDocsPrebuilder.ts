import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TECHDOCS_ANNOTATION } from '@backstage/plugin-techdocs-common';
import { PrebuildResult, TechDocsPrebuilder } from './types';

/**
 * Asks the TechDocs backend to sync (build when stale) each entity's docs, one
 * at a time: mkdocs is CPU-bound, and the portal stays responsive meanwhile.
 * Going through TechDocs' own sync endpoint keeps its build strategy, cache
 * and publisher in charge; this only decides when.
 *
 * Each sweep builds the entities it has not built yet (new ones, such as a
 * service Create Service just registered) and those built longer than
 * `rebuildAfterMs` ago, so sweeps can run often and stay cheap.
 */
export class DefaultTechDocsPrebuilder implements TechDocsPrebuilder {
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly discovery: DiscoveryService;
  private readonly logger: LoggerService;
  private readonly rebuildAfterMs: number;
  /** When each entity (by uid) was last synced, successfully or not. */
  private readonly lastSynced = new Map<string, number>();

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    discovery: DiscoveryService;
    logger: LoggerService;
    rebuildAfterMs?: number;
  }) {
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.discovery = options.discovery;
    this.logger = options.logger;
    this.rebuildAfterMs = options.rebuildAfterMs ?? 30 * 60 * 1000;
  }

  async prebuildDue(): Promise<PrebuildResult[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const results: PrebuildResult[] = [];
    const pages = this.catalog.streamEntities(
      {
        filter: {
          [`metadata.annotations.${TECHDOCS_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.uid'],
      },
      { credentials },
    );
    for await (const entities of pages) {
      for (const entity of entities) {
        const uid = entity.metadata.uid ?? stringifyEntityRef(entity);
        const last = this.lastSynced.get(uid);
        if (last !== undefined && Date.now() - last < this.rebuildAfterMs) {
          continue;
        }
        results.push(await this.prebuild(getCompoundEntityRef(entity)));
        this.lastSynced.set(uid, Date.now());
      }
    }
    if (results.length === 0) return results;
    const failed = results.filter(r => r.outcome === 'failed').length;
    const failures = failed ? `; ${failed} failed (see warnings above)` : '';
    this.logger.info(
      `TechDocs prebuild: ${results.length - failed} of ${
        results.length
      } entities have current docs${failures}`,
    );
    return results;
  }

  private async prebuild(
    entity: PrebuildResult['entity'],
  ): Promise<PrebuildResult> {
    const baseUrl = await this.discovery.getBaseUrl('techdocs');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'techdocs',
    });
    const path = [
      entity.namespace,
      entity.kind.toLocaleLowerCase('en-US'),
      entity.name,
    ]
      .map(encodeURIComponent)
      .join('/');
    try {
      const response = await fetch(`${baseUrl}/sync/${path}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
        },
      });
      const body = await response.text();
      if (!response.ok)
        throw new Error(`HTTP ${response.status}: ${body.slice(0, 300)}`);
      const event = lastEvent(body);
      if (event?.type === 'error') throw new Error(String(event.data));
      const updated = (event?.data as { updated?: boolean } | undefined)
        ?.updated;
      return { entity, outcome: updated ? 'built' : 'up-to-date' };
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(
        `TechDocs prebuild of ${stringifyEntityRef(entity)} failed: ${message}`,
      );
      return { entity, outcome: 'failed', error: message };
    }
  }
}

/** The last server-sent event in a TechDocs sync stream (`finish` or `error`). */
function lastEvent(
  stream: string,
): { type: string; data: unknown } | undefined {
  const blocks = stream.trim().split(/\n\n+/);
  const last = blocks[blocks.length - 1];
  const type = /^event: (.*)$/m.exec(last)?.[1];
  const data = /^data: (.*)$/m.exec(last)?.[1];
  if (!type) return undefined;
  return { type, data: data ? JSON.parse(data) : undefined };
}

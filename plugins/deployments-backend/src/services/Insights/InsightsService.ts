import { AuthService, PermissionsService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AdoptionQuery,
  AdoptionReport,
  DoraQuery,
  DoraReport,
  insightsReadPermission,
} from '@paved/plugin-deployments-common';
import type { Caller } from '../DeploymentService';
import {
  computeDora,
  DORA_DEFINITIONS,
  DORA_TIER_SOURCE,
  DoraFigures,
  DoraWindow,
  groupPrepared,
  PreparedDeployments,
  prepareDeployments,
  weeklyTrend,
  windowOf,
} from './dora';
import { adoptionByTeam, TemplateRun } from './adoption';
import { TemplateRunSource } from './ScaffolderTemplateRuns';
import { InsightsStore } from './InsightsStore';

/**
 * How many deployments each figure lists for its drill-down: the newest. The
 * counts and medians are of all of them; listing 20,000 ids and samples made
 * the organisation's report 4 MB (docs/benchmarks.md).
 */
export const DRILL_DOWN_LIMIT = 100;

/**
 * The figures with each list cut to its `limit` newest entries (lists are
 * oldest first): what `computeDora(..., { newest: limit })` gives without
 * building the rest (newestOnly.test.ts holds them to the same).
 */
export function newestOnly(figures: DoraFigures, limit: number): DoraFigures {
  const newest = <T>(list: T[]) =>
    list.length > limit ? list.slice(list.length - limit) : list;
  return {
    ...figures,
    deploymentFrequency: {
      ...figures.deploymentFrequency,
      deploymentIds: newest(figures.deploymentFrequency.deploymentIds),
    },
    leadTime: {
      ...figures.leadTime,
      samples: newest(figures.leadTime.samples),
    },
    changeFailureRate: {
      ...figures.changeFailureRate,
      failedDeploymentIds: newest(
        figures.changeFailureRate.failedDeploymentIds,
      ),
    },
    recoveryTime: {
      ...figures.recoveryTime,
      samples: newest(figures.recoveryTime.samples),
      unrecoveredDeploymentIds: newest(
        figures.recoveryTime.unrecoveredDeploymentIds,
      ),
    },
  };
}

/** The platform insights: DORA's four keys from the production deployments. */
export interface InsightsService {
  dora(query: DoraQuery, caller: Caller): Promise<DoraReport>;
  adoption(query: AdoptionQuery, caller: Caller): Promise<AdoptionReport>;
}

export interface DefaultInsightsServiceOptions {
  store: InsightsStore;
  catalog: CatalogService;
  auth: AuthService;
  permissions: PermissionsService;
  /** The environment whose deployments DORA counts (`paved.insights.productionEnvironment`). */
  productionEnvironment: string;
  /** The golden paths' runs (the scaffolder's tasks), for adoption. */
  templateRuns: TemplateRunSource;
  now?: () => Date;
}

/**
 * Reads the window's production deployments in one scan, then groups them by
 * the catalog's owner, system or entity and computes each group's figures
 * (dora.ts). The organisation counts every deployment, also of entities no
 * longer in the catalog.
 */
export class DefaultInsightsService implements InsightsService {
  constructor(private readonly options: DefaultInsightsServiceOptions) {}

  async dora(query: DoraQuery, caller: Caller): Promise<DoraReport> {
    await this.authorize(caller);
    const days = query.window as DoraWindow;
    const by = query.groupBy ?? 'organisation';
    const window = windowOf(days, (this.options.now ?? (() => new Date()))());
    let entityRefs: string[] | undefined;
    if (query.entityRef) {
      entityRefs = [this.normalize(query.entityRef, 'entityRef', 'component')];
    }
    const deployments = await this.options.store.listDeployments({
      environment: this.options.productionEnvironment,
      since: window.from,
      entityRefs,
    });
    // Times parsed once, for every group and every week of the trends.
    const prepared = prepareDeployments(deployments);
    let groups: Map<string, PreparedDeployments>;
    if (query.entityRef) {
      groups = new Map([[entityRefs![0], prepared]]);
    } else if (by === 'organisation') {
      groups = new Map([['organisation', prepared]]);
    } else if (by === 'service') {
      groups = groupPrepared(prepared, ref => ref);
    } else {
      const entities = await this.components();
      groups = groupPrepared(prepared, ref => {
        const entity = entities.get(ref);
        const target =
          by === 'team' ? entity?.spec?.owner : entity?.spec?.system;
        if (typeof target !== 'string' || !entity) return undefined;
        return this.normalize(
          target,
          by,
          by === 'team' ? 'group' : 'system',
          entity.metadata.namespace,
        );
      });
    }
    return {
      window: days,
      from: window.from,
      to: window.to,
      environment: this.options.productionEnvironment,
      groupBy: query.entityRef ? 'service' : by,
      tierSource: DORA_TIER_SOURCE,
      definitions: DORA_DEFINITIONS,
      drillDownLimit: DRILL_DOWN_LIMIT,
      groups: [...groups.entries()]
        .map(([key, list]) => ({
          key,
          figures: computeDora(list, window, {
            newest: DRILL_DOWN_LIMIT,
          }),
          trend: weeklyTrend(list, window),
        }))
        .sort(
          (a, b) =>
            b.figures.deploymentFrequency.count -
              a.figures.deploymentFrequency.count || a.key.localeCompare(b.key),
        ),
    };
  }

  async adoption(
    query: AdoptionQuery,
    caller: Caller,
  ): Promise<AdoptionReport> {
    await this.authorize(caller);
    const window = windowOf(
      query.window as DoraWindow,
      (this.options.now ?? (() => new Date()))(),
    );
    let templateRunsUnavailable: string | undefined;
    const [components, deployments, runs] = await Promise.all([
      this.components(),
      this.options.store.listDeployments({
        since: window.from,
        userAgents: true,
      }),
      this.options.templateRuns
        .listRuns(window.from)
        .catch((error: Error): TemplateRun[] | undefined => {
          // The rest of the report stands without them; the page says why.
          templateRunsUnavailable = error.message;
          return undefined;
        }),
    ]);
    return {
      window: query.window,
      from: window.from,
      to: window.to,
      ...(templateRunsUnavailable ? { templateRunsUnavailable } : {}),
      groups: adoptionByTeam(
        [...components.values()],
        deployments,
        runs,
        window,
      ),
    };
  }

  private async authorize(caller: Caller) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: insightsReadPermission }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'Seeing the insights needs paved.insights.read',
      );
    }
  }

  private normalize(
    ref: string,
    field: string,
    defaultKind: string,
    defaultNamespace = 'default',
  ) {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, { defaultKind, defaultNamespace }),
      );
    } catch (error) {
      throw new InputError(
        `${field}: "${ref}" is not an entity reference; expected e.g. component:default/orders-api`,
      );
    }
  }

  /** Every component's owner, system, type, annotations and dependencies, by ref. */
  private async components(): Promise<Map<string, Entity>> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: 'component' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'spec.type',
          'spec.owner',
          'spec.system',
          'spec.dependsOn',
        ],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return new Map(items.map(e => [stringifyEntityRef(e), e]));
  }
}

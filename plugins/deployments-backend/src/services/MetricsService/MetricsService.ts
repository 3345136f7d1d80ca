import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  errorBudget,
  EnvironmentMetrics,
  METRICS_WINDOWS,
  MetricsReport,
  MetricsWindow,
  PROBE_ROUTES,
  SERVICE_TIERS,
  ServiceTier,
  TIER_LATENCY_THRESHOLDS,
  TIER_OBJECTIVES,
} from '@paved/plugin-deployments-common';
import { PrometheusClient } from './PrometheusClient';

const WINDOW_SECONDS: Record<MetricsWindow, number> = {
  '1h': 3600,
  '6h': 6 * 3600,
  '1d': 86400,
  '7d': 7 * 86400,
  '30d': 30 * 86400,
};
/** Points per chart. */
const POINTS = 60;
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The golden signals of a service per environment, from Prometheus (docs/decisions/0019).
 * Every query is one of the fixed templates below; what varies is the service's job and
 * namespace (from its catalog annotations, checked to be Kubernetes names, so they cannot
 * close a label matcher) and durations from the fixed window set. The caller's input never
 * becomes query text.
 */
export class MetricsService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      prometheus: PrometheusClient;
      environments: string[];
      now?: () => Date;
    },
  ) {}

  async report(
    entityRef: string,
    query: { window?: string; environment?: string },
    credentials: BackstageCredentials,
  ): Promise<MetricsReport> {
    const window = (query.window ?? '1h') as MetricsWindow;
    if (!METRICS_WINDOWS.includes(window)) {
      throw new InputError(
        `window: must be one of ${METRICS_WINDOWS.join(
          ', ',
        )} (at most 30 days)`,
      );
    }
    if (
      query.environment !== undefined &&
      !this.options.environments.includes(query.environment)
    ) {
      throw new InputError(
        `environment: "${
          query.environment
        }" is not an environment; use one of ${this.options.environments.join(
          ', ',
        )}`,
      );
    }
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    const seconds = WINDOW_SECONDS[window];
    const stepSeconds = Math.max(15, Math.floor(seconds / POINTS));
    const targets = this.targetsOf(entity).filter(
      t =>
        query.environment === undefined || t.environment === query.environment,
    );
    const items = await Promise.all(
      targets.map(t => this.environmentMetrics(t, seconds, stepSeconds)),
    );
    return { window, stepSeconds, items };
  }

  private targetsOf(entity: Entity) {
    const annotations = entity.metadata.annotations ?? {};
    const job = annotations['backstage.io/kubernetes-id'];
    const tierAnnotation = annotations['paved.dev/tier'] as
      | ServiceTier
      | undefined;
    const tier: ServiceTier =
      tierAnnotation && SERVICE_TIERS.includes(tierAnnotation)
        ? tierAnnotation
        : 'standard';
    if (!job || !KUBERNETES_NAME.test(job)) return [];
    return this.options.environments.flatMap(environment => {
      const namespace =
        annotations[`paved.dev/kubernetes-namespace-${environment}`];
      return namespace && KUBERNETES_NAME.test(namespace)
        ? [{ environment, namespace, job, tier }]
        : [];
    });
  }

  private async environmentMetrics(
    target: {
      environment: string;
      namespace: string;
      job: string;
      tier: ServiceTier;
    },
    seconds: number,
    stepSeconds: number,
  ): Promise<EnvironmentMetrics> {
    const { prometheus } = this.options;
    const end = this.options.now?.() ?? new Date();
    const start = new Date(end.getTime() - seconds * 1000);
    const sel = `job="${target.job}",namespace="${target.namespace}",route!~"${PROBE_ROUTES}"`;
    const total = (r: string) => `sum(rate(http_requests_total{${sel}}[${r}]))`;
    const errors = (r: string) =>
      `sum(rate(http_requests_total{${sel},code=~"5.."}[${r}]))`;
    const p99 = (r: string) =>
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[${r}])))`;
    const budget = errorBudget(TIER_OBJECTIVES[target.tier]);
    const all = `${seconds}s`;
    // A range query's rate looks back one step, and at least a minute (four 15 s scrapes).
    const point = `${Math.max(60, stepSeconds)}s`;
    const [
      requests,
      errorCount,
      requestRate,
      errorRatio,
      p99Latency,
      rateSeries,
      errorSeries,
      p99Series,
    ] = await Promise.all([
      prometheus.instant(
        `sum(increase(http_requests_total{${sel}}[${all}]))`,
        end,
      ),
      prometheus.instant(
        `sum(increase(http_requests_total{${sel},code=~"5.."}[${all}]))`,
        end,
      ),
      prometheus.instant(total(all), end),
      prometheus.instant(`(${errors(all)} or vector(0)) / ${total(all)}`, end),
      prometheus.instant(p99(all), end),
      prometheus.range(total(point), start, end, stepSeconds),
      prometheus.range(
        `(${errors(point)} or vector(0)) / ${total(point)}`,
        start,
        end,
        stepSeconds,
      ),
      prometheus.range(p99(point), start, end, stepSeconds),
    ]);
    const traffic = requests !== undefined && requests > 0 ? 'some' : 'none';
    const result: EnvironmentMetrics = {
      environment: target.environment,
      namespace: target.namespace,
      traffic,
      objectivePercent: TIER_OBJECTIVES[target.tier],
      latencyThresholdSeconds: TIER_LATENCY_THRESHOLDS[target.tier],
      series: {
        requestRate: rateSeries,
        errorRatio: errorSeries,
        p99LatencySeconds: p99Series,
      },
    };
    if (requestRate !== undefined) result.requestRate = requestRate;
    if (traffic === 'some') {
      if (errorRatio !== undefined) result.errorRatio = errorRatio;
      if (p99Latency !== undefined) result.p99LatencySeconds = p99Latency;
      result.errorBudgetRemaining = 1 - (errorCount ?? 0) / requests! / budget;
    }
    return result;
  }
}

import { TypedRouter } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '@paved/plugin-deployments-common';
import type { RouteContext } from '../router';
import { MetricsService } from '../services/MetricsService';

/**
 * A service's golden signals per environment (src/schema/openapi.yaml, GetMetrics): the spec
 * has already refused an unknown window (so anything that is not one of the five, PromQL
 * included, is a 400 naming `window`); MetricsService checks the environment and the caller's
 * read access to the entity, and queries Prometheus with fixed templates.
 */
export function addMetricsRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { metrics: MetricsService },
) {
  const { metrics, callerOf, entityRefOf } = options;
  router.get('/entities/:kind/:namespace/:name/metrics', async (req, res) => {
    const caller = await callerOf(req);
    res.json(
      await metrics.report(entityRefOf(req), req.query, caller.credentials),
    );
  });
}

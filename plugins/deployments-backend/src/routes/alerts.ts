import { TypedRouter } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '@paved/plugin-deployments-common';
import type { RouteContext } from '../router';
import { AlertsService } from '../services/Alerts';

/**
 * SLO alerts (src/schema/openapi.yaml, ReceiveAlerts and ListAlerts; docs/decisions/0026):
 * Alertmanager's webhook in (the spec has refused a payload without an alert's `service`,
 * `namespace` or `alertname` label, naming it), the entity's alerts out.
 */
export function addAlertRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { alerts: AlertsService },
) {
  const { alerts, callerOf, entityRefOf } = options;
  router.post('/alerts/alertmanager', async (req, res) => {
    res.json(await alerts.receive(req.body, await callerOf(req)));
  });
  router.get('/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    const caller = await callerOf(req);
    res.json({
      items: await alerts.list(entityRefOf(req), caller.credentials),
    });
  });
}

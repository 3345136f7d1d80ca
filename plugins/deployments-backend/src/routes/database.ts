import { TypedRouter } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '@paved/plugin-deployments-common';
import type { RouteContext } from '../router';
import { DatabaseConnectionService } from '../services/DatabaseConnection';

/**
 * A service's database login for one session (`ConnectDatabase` in
 * src/schema/openapi.yaml): a POST whose answer carries a password, so it is
 * never cached; the check and the audit are DatabaseConnectionService's.
 */
export function addDatabaseRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { databases: DatabaseConnectionService },
) {
  const { databases, callerOf, entityRefOf } = options;
  router.post(
    '/entities/:kind/:namespace/:name/environments/:environment/database/connection',
    async (req, res) => {
      const connection = await databases.connect(
        entityRefOf(req),
        req.params.environment,
        await callerOf(req),
      );
      res.set('Cache-Control', 'no-store').json(connection);
    },
  );
}

import { internal, TypedRouter } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '@paved/plugin-deployments-common';
import { Request } from 'express';
import type { RouteContext } from '../router';
import { BuildService } from '../services/BuildService';

/**
 * The build records' routes (see src/schema/openapi.yaml), typed and
 * validated by it (see ../router.ts): the caller, the rest is BuildService's.
 */
export function addBuildRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { builds: BuildService },
) {
  const { builds, callerOf, entityRefOf } = options;
  /** The caller of a change: a 403 for people before their input is read. */
  const recorderOf = async (req: Request<any, any, any, any>) => {
    const caller = await callerOf(req);
    builds.assertMayRecord(caller);
    return caller;
  };

  router.post('/builds', async (req, res) => {
    const caller = await recorderOf(req);
    res.status(201).json(await builds.createBuild(req.body, caller));
  });

  router.get('/builds/:id', async (req, res) => {
    res.json(await builds.getBuild(req.params.id, await callerOf(req)));
  });

  // backend-openapi-utils' TypedRouter types get, post, put and delete; a
  // PATCH handler is typed the same way by hand.
  const finishBuild: internal.EndpointMapRequestHandler<
    EndpointMap,
    '/builds/{id}',
    'patch'
  > = async (req, res) => {
    const caller = await recorderOf(req);
    res.json(await builds.finishBuild(req.params.id, req.body, caller));
  };
  router.patch('/builds/:id', finishBuild);

  router.post('/builds/:id/log', async (req, res) => {
    const caller = await recorderOf(req);
    res.json(await builds.appendLog(req.params.id, req.body, caller));
  });

  router.get('/builds/:id/log', async (req, res) => {
    res.json(
      await builds.getBuildLog(
        req.params.id,
        req.query.offset ?? 0,
        await callerOf(req),
      ),
    );
  });

  router.get('/entities/:kind/:namespace/:name/builds', async (req, res) => {
    res.json(
      await builds.listBuilds(entityRefOf(req), req.query, await callerOf(req)),
    );
  });
}

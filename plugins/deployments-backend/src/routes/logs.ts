import { TypedRouter } from '@backstage/backend-openapi-utils';
import { serializeError } from '@backstage/errors';
import { EndpointMap } from '@paved/plugin-deployments-common';
import type { RouteContext } from '../router';
import { LogsService } from '../services/LogsService';

/**
 * A service's pods and logs per environment (see src/schema/openapi.yaml). The
 * logs answer is NDJSON, one LogLine per line; every check is done before the
 * first byte, so bad input is still a 400/404 body, and a failure once the
 * stream has started is a last `{"error": …}` line. A client that disconnects
 * stops the reads from the kubelet.
 */
export function addLogRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { logs: LogsService },
) {
  const { logs, callerOf, entityRefOf } = options;
  router.get(
    '/entities/:kind/:namespace/:name/environments/:environment/pods',
    async (req, res) => {
      res.json({
        items: await logs.listPods(
          entityRefOf(req),
          req.params.environment,
          await callerOf(req),
        ),
      });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/environments/:environment/logs',
    async (req, res) => {
      const { pod, container, since, tailLines, follow } = req.query;
      const read = await logs.open(
        entityRefOf(req),
        req.params.environment,
        { pod, container, since, tailLines, follow: follow === 'true' },
        await callerOf(req),
      );
      const stop = new AbortController();
      res.on('close', () => stop.abort());
      res.status(200);
      res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.flushHeaders();
      try {
        await read(line => {
          if (!stop.signal.aborted) res.write(`${JSON.stringify(line)}\n`);
        }, stop.signal);
      } catch (error) {
        if (!stop.signal.aborted) {
          res.write(
            `${JSON.stringify({
              error: serializeError(error as Error, {
                includeStack: false,
              }),
            })}\n`,
          );
        }
      }
      res.end();
    },
  );
}

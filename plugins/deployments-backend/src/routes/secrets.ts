import { TypedRouter } from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import {
  EndpointMap,
  secretKeyProblem,
  secretValueProblem,
} from '@paved/plugin-deployments-common';
import type { RouteContext } from '../router';
import { SecretsService } from '../services/SecretsService';

/**
 * What the spec can't say about a body the router already validated against
 * it (types, unknown fields, `toVersion` ≥ 0): each key is an environment
 * variable name, each value non-empty and at most 64 KiB. A 400 naming every
 * wrong field and the fix (e.g. `set.API_TOKEN: is empty; give a value, or
 * unset the key`); a message never quotes a value.
 */
function assertSecretInput(body: {
  set?: Record<string, string>;
  unset?: string[];
  keys?: string[];
}) {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body.set ?? {})) {
    const problem = secretKeyProblem(key) ?? secretValueProblem(value);
    if (problem) problems.push(`set.${key}: ${problem}`);
  }
  for (const field of ['unset', 'keys'] as const) {
    (body[field] ?? []).forEach((key, index) => {
      const problem = secretKeyProblem(key);
      if (problem) problems.push(`${field}.${index}: ${problem}`);
    });
  }
  if (problems.length) throw new InputError(problems.join('; '));
}

/**
 * A service's secrets per environment (see src/schema/openapi.yaml), typed
 * and validated by it (see ../router.ts): the caller and the checks above,
 * the rest is SecretsService's. Values arrive in request bodies and never
 * leave in a response.
 */
export function addSecretRoutes(
  router: TypedRouter<EndpointMap>,
  options: RouteContext & { secrets: SecretsService },
) {
  const { secrets, callerOf, entityRefOf } = options;
  router.get(
    '/entities/:kind/:namespace/:name/environments/:environment/secrets',
    async (req, res) => {
      res.json(
        await secrets.list(
          entityRefOf(req),
          req.params.environment,
          await callerOf(req),
        ),
      );
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/environments/:environment/secrets',
    async (req, res) => {
      const caller = await callerOf(req);
      assertSecretInput(req.body);
      const result = await secrets.change(
        entityRefOf(req),
        req.params.environment,
        req.body,
        caller,
      );
      res.status(result.dryRun ? 200 : 202).json(result);
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/environments/:environment/secrets/rollback',
    async (req, res) => {
      const caller = await callerOf(req);
      const result = await secrets.rollback(
        entityRefOf(req),
        req.params.environment,
        req.body ?? {},
        caller,
      );
      res.status(result.dryRun ? 200 : 202).json(result);
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/environments/:environment/secrets/rotate',
    async (req, res) => {
      const caller = await callerOf(req);
      assertSecretInput(req.body ?? {});
      const result = await secrets.rotate(
        entityRefOf(req),
        req.params.environment,
        req.body ?? {},
        caller,
      );
      res.status(result.dryRun ? 200 : 202).json(result);
    },
  );
}

import { Request, Router } from 'express';
import { z } from 'zod';
import {
  secretKeyProblem,
  secretValueProblem,
} from '@paved/plugin-deployments-common';
import { parse } from '../parse';
import { Caller } from '../services/DeploymentService';
import { SecretsService } from '../services/SecretsService';

/** A key that must be an environment variable name; the message names the fix. */
const secretKey = z.string().superRefine((key, ctx) => {
  const problem = secretKeyProblem(key);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

/** A value: a non-empty string up to 64 KiB; messages never quote it. */
const secretValue = z
  .string({
    invalid_type_error: 'must be a string (the secret value)',
  })
  .superRefine((value, ctx) => {
    const problem = secretValueProblem(value);
    if (problem)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const dryRun = z
  .boolean({ invalid_type_error: 'must be true or false' })
  .optional();

const changeSchema = z
  .object({
    set: z
      .record(z.string(), secretValue, {
        invalid_type_error:
          'must be an object of key names to values, e.g. {"API_TOKEN": "…"}',
      })
      .superRefine((set, ctx) => {
        for (const key of Object.keys(set)) {
          const problem = secretKeyProblem(key);
          if (problem) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [key],
              message: problem,
            });
          }
        }
      })
      .optional(),
    unset: z
      .array(secretKey, {
        invalid_type_error: 'must be a list of key names, e.g. ["API_TOKEN"]',
      })
      .optional(),
    dryRun,
  })
  .strict();

const rollbackSchema = z
  .object({
    toVersion: z
      .number({ invalid_type_error: 'must be a version number' })
      .int('must be a whole number')
      .min(0, 'must be 0 (no keys of its own) or a version number')
      .optional(),
    dryRun,
  })
  .strict();

const rotateSchema = z
  .object({
    keys: z
      .array(secretKey, {
        invalid_type_error:
          'must be a list of key names, e.g. ["APP_SESSION_SECRET"]',
      })
      .optional(),
    dryRun,
  })
  .strict();

/**
 * A service's secrets per environment (see src/schema/openapi.yaml):
 * validation and the caller, the rest is SecretsService's. Values arrive in
 * request bodies and never leave in a response.
 */
export function addSecretRoutes(
  router: Router,
  options: {
    secrets: SecretsService;
    callerOf: (req: Request) => Promise<Caller>;
    entityRefOf: (req: Request) => string;
  },
) {
  const { secrets, callerOf, entityRefOf } = options;
  const base =
    '/entities/:kind/:namespace/:name/environments/:environment/secrets';

  router.get(base, async (req, res) => {
    res.json(
      await secrets.list(
        entityRefOf(req),
        req.params.environment,
        await callerOf(req),
      ),
    );
  });

  router.post(base, async (req, res) => {
    const caller = await callerOf(req);
    const body = parse(changeSchema, req.body);
    const result = await secrets.change(
      entityRefOf(req),
      req.params.environment,
      body,
      caller,
    );
    res.status(result.dryRun ? 200 : 202).json(result);
  });

  router.post(`${base}/rollback`, async (req, res) => {
    const caller = await callerOf(req);
    const body = parse(rollbackSchema, req.body);
    const result = await secrets.rollback(
      entityRefOf(req),
      req.params.environment,
      body,
      caller,
    );
    res.status(result.dryRun ? 200 : 202).json(result);
  });

  router.post(`${base}/rotate`, async (req, res) => {
    const caller = await callerOf(req);
    const body = parse(rotateSchema, req.body);
    const result = await secrets.rotate(
      entityRefOf(req),
      req.params.environment,
      body,
      caller,
    );
    res.status(result.dryRun ? 200 : 202).json(result);
  });
}

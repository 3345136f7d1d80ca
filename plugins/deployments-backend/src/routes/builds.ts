import { Request, Router } from 'express';
import { z } from 'zod';
import { parse } from '../parse';
import { BuildService } from '../services/BuildService';
import { Caller } from '../services/DeploymentService';

/** A status from `values`; an unknown one is named with the ones there are. */
function statusOf<U extends string, T extends [U, ...U[]]>(
  values: T,
  note = '',
) {
  const known = values.join(', ');
  return z.enum(values, {
    errorMap: (issue, ctx) => {
      if (ctx.data === undefined)
        return { message: `Required: one of ${known}` };
      if (issue.code !== 'invalid_enum_value')
        return { message: ctx.defaultError };
      return {
        message: `unknown status "${ctx.data}"; send one of ${known}${note}`,
      };
    },
  });
}

/** An optional string; `null` counts as absent, as CIs often send it. */
const optionalString = () =>
  z
    .string()
    .nullish()
    .transform(value => value ?? undefined);

const createBuildSchema = z.object({
  entityRef: z.string({
    required_error: 'Required: component:<namespace>/<name>',
  }),
  commit: z.object(
    {
      sha: z.string({
        required_error:
          'Required: the SHA of the commit built (git rev-parse HEAD)',
      }),
      message: optionalString(),
      author: optionalString(),
      time: optionalString(),
    },
    { required_error: 'Required: {sha, message, author, time}' },
  ),
  status: statusOf(['running', 'succeeded', 'failed']),
  image: optionalString(),
  digest: optionalString(),
  log: optionalString(),
  startedAt: optionalString(),
  message: optionalString(),
  finishedAt: optionalString(),
});

const finishBuildSchema = z.object({
  status: statusOf(
    ['succeeded', 'failed'],
    ' (a build ends succeeded or failed)',
  ),
  image: optionalString(),
  digest: optionalString(),
  message: optionalString(),
  log: optionalString(),
  finishedAt: optionalString(),
});

const appendLogSchema = z.object({
  text: z.string({ required_error: 'Required: the log text to append' }),
});

const wholeNumber = (what: string) =>
  z.string().regex(/^\d+$/, `must be a whole number${what}`).transform(Number);

const listBuildsSchema = z.object({
  limit: wholeNumber(' from 1 to 100').optional(),
  cursor: z.string().optional(),
  status: statusOf(['running', 'succeeded', 'failed']).optional(),
  commitSha: z.string().optional(),
});

const logQuerySchema = z.object({
  offset: wholeNumber(
    ': 0, or the nextOffset of the previous answer',
  ).optional(),
});

/**
 * The build records' routes (see src/schema/openapi.yaml): validation and
 * the caller, the rest is BuildService's.
 */
export function addBuildRoutes(
  router: Router,
  options: {
    builds: BuildService;
    callerOf: (req: Request) => Promise<Caller>;
    entityRefOf: (req: Request) => string;
  },
) {
  const { builds, callerOf, entityRefOf } = options;
  /** The caller of a change: a 403 for people before their input is read. */
  const recorderOf = async (req: Request) => {
    const caller = await callerOf(req);
    builds.assertMayRecord(caller);
    return caller;
  };

  router.post('/builds', async (req, res) => {
    const caller = await recorderOf(req);
    const body = parse(createBuildSchema, req.body);
    res.status(201).json(await builds.createBuild(body, caller));
  });

  router.get('/builds/:id', async (req, res) => {
    res.json(await builds.getBuild(req.params.id, await callerOf(req)));
  });

  router.patch('/builds/:id', async (req, res) => {
    const caller = await recorderOf(req);
    const body = parse(finishBuildSchema, req.body);
    res.json(await builds.finishBuild(req.params.id, body, caller));
  });

  router.post('/builds/:id/log', async (req, res) => {
    const caller = await recorderOf(req);
    const body = parse(appendLogSchema, req.body);
    res.json(await builds.appendLog(req.params.id, body, caller));
  });

  router.get('/builds/:id/log', async (req, res) => {
    const query = parse(logQuerySchema, req.query);
    res.json(
      await builds.getBuildLog(
        req.params.id,
        query.offset ?? 0,
        await callerOf(req),
      ),
    );
  });

  router.get('/entities/:kind/:namespace/:name/builds', async (req, res) => {
    const query = parse(listBuildsSchema, req.query);
    res.json(
      await builds.listBuilds(entityRefOf(req), query, await callerOf(req)),
    );
  });
}

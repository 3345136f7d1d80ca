import { HttpAuthService } from '@backstage/backend-plugin-api';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parse } from './parse';
import { addBuildRoutes } from './routes/builds';
import { addSecretRoutes } from './routes/secrets';
import { BuildService } from './services/BuildService';
import { Caller, DeploymentService } from './services/DeploymentService';
import { SecretsService } from './services/SecretsService';

const deploySchema = z.object({
  entityRef: z.string().min(1),
  environment: z.string().min(1),
  image: z.string(),
  replicas: z.number().int().min(0).max(100).optional(),
});

const promoteSchema = z.object({
  entityRef: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
});

const rollbackSchema = z.object({
  entityRef: z.string().min(1),
  environment: z.string().min(1),
  toDeploymentId: z.string().min(1),
});

const historySchema = z.object({
  environment: z.string().min(1).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .optional(),
  cursor: z.string().optional(),
});

const approvalsSchema = z.object({
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
});

const entityRefOf = (req: Request) =>
  `${req.params.kind}:${req.params.namespace}/${req.params.name}`;

/** HTTP in, service calls out: validation and the caller, nothing else. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
  builds: BuildService;
  secrets: SecretsService;
}): Promise<express.Router> {
  const { httpAuth, deployments, builds, secrets } = options;
  const router = Router();
  // Build logs arrive in the body (the backend keeps their last 1 Mi characters).
  router.use(express.json({ limit: '4mb' }));

  const callerOf = async (req: Request): Promise<Caller> => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return {
      credentials,
      userEntityRef:
        credentials.principal.type === 'user'
          ? credentials.principal.userEntityRef
          : undefined,
    };
  };

  router.post('/deployments', async (req, res) => {
    const body = parse(deploySchema, req.body);
    res.status(202).json(await deployments.deploy(body, await callerOf(req)));
  });

  router.get('/deployments/:id', async (req, res) => {
    res.json(
      await deployments.getDeployment(req.params.id, await callerOf(req)),
    );
  });

  router.get(
    '/entities/:kind/:namespace/:name/environments',
    async (req, res) => {
      res.json({
        items: await deployments.listEnvironments(
          entityRefOf(req),
          await callerOf(req),
        ),
      });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const query = parse(historySchema, req.query);
      res.json(
        await deployments.listDeployments(
          entityRefOf(req),
          query,
          await callerOf(req),
        ),
      );
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/audit-events',
    async (req, res) => {
      res.json({
        items: await deployments.listAuditEvents(
          entityRefOf(req),
          await callerOf(req),
        ),
      });
    },
  );

  router.get('/entities/:kind/:namespace/:name/approvals', async (req, res) => {
    const query = parse(approvalsSchema, req.query);
    res.json({
      items: await deployments.listApprovals(
        entityRefOf(req),
        query,
        await callerOf(req),
      ),
    });
  });

  router.post('/promotions', async (req, res) => {
    const body = parse(promoteSchema, req.body);
    const result = await deployments.promote(body, await callerOf(req));
    res.status(result.type === 'approval' ? 201 : 202).json(result);
  });

  router.get('/approvals/:id', async (req, res) => {
    res.json(await deployments.getApproval(req.params.id, await callerOf(req)));
  });

  router.post('/approvals/:id/approve', async (req, res) => {
    res
      .status(202)
      .json(await deployments.approve(req.params.id, await callerOf(req)));
  });

  router.post('/approvals/:id/reject', async (req, res) => {
    res.json(await deployments.reject(req.params.id, await callerOf(req)));
  });

  router.post('/rollbacks', async (req, res) => {
    const body = parse(rollbackSchema, req.body);
    res.status(202).json(await deployments.rollback(body, await callerOf(req)));
  });

  addBuildRoutes(router, { builds, callerOf, entityRefOf });
  addSecretRoutes(router, { secrets, callerOf, entityRefOf });

  return router;
}

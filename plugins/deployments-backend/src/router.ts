import { HttpAuthService } from '@backstage/backend-plugin-api';
import express, { Request } from 'express';
import { addAlertRoutes } from './routes/alerts';
import { addBuildRoutes } from './routes/builds';
import { addMetricsRoutes } from './routes/metrics';
import { addLogRoutes } from './routes/logs';
import { addSecretRoutes } from './routes/secrets';
import { createOpenApiRouter, spec } from './schema/openapi/generated/router';
import { validateRequests } from './schema/validation';
import { AlertsService } from './services/Alerts';
import { BuildService } from './services/BuildService';
import { Caller, DeploymentService } from './services/DeploymentService';
import { FeedbackService } from './services/Feedback';
import { MetricsService } from './services/MetricsService';
import { InsightsService } from './services/Insights';
import { LogsService } from './services/LogsService';
import { SecretsService } from './services/SecretsService';

/** What the route handlers share: the caller of a request, the entity of its path. */
export interface RouteContext {
  callerOf: (req: Request<any, any, any, any>) => Promise<Caller>;
  entityRefOf: (req: { params: EntityPath }) => string;
}

type EntityPath = { kind: string; namespace: string; name: string };

/**
 * HTTP in, service calls out: the caller, nothing else. The routes, their
 * parameters, bodies and answers are typed by src/schema/openapi.yaml (the
 * generated module), and every request is validated against it first
 * (schema/validation.ts: a 400 naming the field), so a field renamed on one
 * side only fails `tsc` (docs/decisions/0014).
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
  builds: BuildService;
  secrets: SecretsService;
  metrics: MetricsService;
  logs: LogsService;
  insights: InsightsService;
  feedback: FeedbackService;
  alerts: AlertsService;
}) {
  const {
    httpAuth,
    deployments,
    builds,
    secrets,
    metrics,
    logs,
    insights,
    feedback,
    alerts,
  } = options;
  const router = await createOpenApiRouter({
    // Build logs arrive in the body (the backend keeps their last 1 Mi characters).
    middleware: [express.json({ limit: '4mb' }), validateRequests(spec as any)],
    // Requests are validated above, in the router's own words; who may call
    // is httpAuth's decision (callerOf).
    validatorOptions: { validateRequests: false, validateSecurity: false },
  });

  const callerOf = async (
    req: Request<any, any, any, any>,
  ): Promise<Caller> => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return {
      credentials,
      userEntityRef:
        credentials.principal.type === 'user'
          ? credentials.principal.userEntityRef
          : undefined,
      userAgent: req.get('user-agent'),
    };
  };
  const entityRefOf = (req: { params: EntityPath }) =>
    `${req.params.kind}:${req.params.namespace}/${req.params.name}`;

  router.post('/deployments', async (req, res) => {
    res
      .status(202)
      .json(await deployments.deploy(req.body, await callerOf(req)));
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
      res.json(
        await deployments.listDeployments(
          entityRefOf(req),
          req.query,
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
    res.json({
      items: await deployments.listApprovals(
        entityRefOf(req),
        req.query,
        await callerOf(req),
      ),
    });
  });

  router.post('/promotions', async (req, res) => {
    const result = await deployments.promote(req.body, await callerOf(req));
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
    res.json(
      await deployments.reject(req.params.id, await callerOf(req), {
        reason: req.body?.reason,
      }),
    );
  });

  router.post('/rollbacks', async (req, res) => {
    res
      .status(202)
      .json(await deployments.rollback(req.body, await callerOf(req)));
  });

  router.get('/insights/dora', async (req, res) => {
    res.json(await insights.dora(req.query, await callerOf(req)));
  });

  router.get('/insights/adoption', async (req, res) => {
    res.json(await insights.adoption(req.query, await callerOf(req)));
  });

  router.post('/feedback', async (req, res) => {
    res.status(201).json(await feedback.create(req.body, await callerOf(req)));
  });

  router.get('/feedback', async (req, res) => {
    res.json(await feedback.list(req.query, await callerOf(req)));
  });

  addBuildRoutes(router, { builds, callerOf, entityRefOf });
  addSecretRoutes(router, { secrets, callerOf, entityRefOf });
  addMetricsRoutes(router, { metrics, callerOf, entityRefOf });
  addLogRoutes(router, { logs, callerOf, entityRefOf });
  addAlertRoutes(router, { alerts, callerOf, entityRefOf });

  return router;
}

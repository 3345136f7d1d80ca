import { testHttpAuth } from '@paved/plugin-provisioning-node/testDoubles';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createRouter } from '../router';
import { stale } from '../../scripts/generate-openapi';
import { InsightsService } from '../services/Insights';
import { FeedbackService } from '../services/Feedback';
import { AlertsService } from '../services/Alerts';
import { BuildService } from '../services/BuildService';
import { DeploymentService } from '../services/DeploymentService';
import { MetricsService } from '../services/MetricsService';
import { LogsService } from '../services/LogsService';
import { SecretsService } from '../services/SecretsService';

// The spec and the router describe the same endpoints.
describe('openapi.yaml', () => {
  it('is what the generated types and router module were made from', () => {
    // A field renamed in openapi.yaml alone fails here; regenerated, it
    // fails tsc wherever the router, services or clients use the old name.
    expect({
      stale: stale(path.resolve(__dirname, '../../../..')),
      fix: 'node plugins/deployments-backend/scripts/generate-openapi.ts',
    }).toEqual({
      stale: [],
      fix: 'node plugins/deployments-backend/scripts/generate-openapi.ts',
    });
  });

  it('has exactly the routes the router serves', async () => {
    const spec = yaml.parse(
      readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'),
    );
    const documented = Object.entries(
      spec.paths as Record<string, Record<string, unknown>>,
    )
      .flatMap(([route, methods]) =>
        Object.keys(methods).map(
          method =>
            `${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
      .sort();
    const router = await createRouter({
      httpAuth: testHttpAuth(),
      deployments: {} as DeploymentService,
      builds: {} as BuildService,
      metrics: {} as MetricsService,
      logs: {} as LogsService,
      secrets: {} as SecretsService,
      insights: {} as InsightsService,
      feedback: {} as FeedbackService,
      alerts: {} as AlertsService,
    });
    const served = (router.stack as any[])
      .filter(layer => layer.route)
      .flatMap(layer =>
        Object.keys(layer.route.methods).map(
          method => `${method.toUpperCase()} ${layer.route.path}`,
        ),
      )
      // backend-openapi-utils serves the spec itself there.
      .filter(route => route !== 'GET /openapi.json')
      .sort();
    expect(documented).toEqual(served);
  });
});

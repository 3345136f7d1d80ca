import { ConfigReader } from '@backstage/config';
import {
  testCatalog,
  testHttpAuth,
  testLogger,
} from '@paved/plugin-provisioning-node/testDoubles';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { Server as HttpServer } from 'node:http';
import { createRouter } from '../router';
import { InsightsService } from '../services/Insights';
import { FeedbackService } from '../services/Feedback';
import { AlertsService } from '../services/Alerts';
import { LogsService } from '../services/LogsService';
import { BuildService } from '../services/BuildService';
import { DeploymentService } from '../services/DeploymentService';
import {
  HttpPrometheusClient,
  MetricsService,
} from '../services/MetricsService';
import { SecretsService } from '../services/SecretsService';

// The metrics route's refusals, with the real MetricsService and Prometheus client: bad input
// is a 400 naming the field before any query is made (PromQL in a parameter never reaches
// Prometheus), an entity the caller cannot read is a 404, and a Prometheus that does not answer
// (a port nothing listens on) is a 503 named ServiceUnavailableError, not a 500. Reading real
// series is metrics.platform.test.ts's.
describe('metrics route', () => {
  let server: HttpServer;
  let url: string;
  const base = '/entities/component/default/orders-api/metrics';

  beforeAll(async () => {
    // A port that was free a moment ago: nothing answers there.
    const probe: Server = createServer();
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise(resolve => probe.close(resolve));
    const metrics = new MetricsService({
      catalog: testCatalog([
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'orders-api',
            annotations: {
              'backstage.io/kubernetes-id': 'orders-api',
              'paved.dev/kubernetes-namespace-staging': 'orders-api-staging',
              'paved.dev/tier': 'standard',
            },
          },
          spec: {
            type: 'service',
            owner: 'group:default/storefront-team',
            lifecycle: 'experimental',
          },
        },
      ]),
      environments: ['staging', 'production'],
      prometheus: new HttpPrometheusClient(
        `http://127.0.0.1:${deadPort}`,
        2000,
      ),
    });
    const router = await createRouter({
      httpAuth: testHttpAuth(),
      deployments: {} as DeploymentService,
      builds: {} as BuildService,
      secrets: {} as SecretsService,
      metrics,
      logs: {} as LogsService,
      insights: {} as InsightsService,
      feedback: {} as FeedbackService,
      alerts: {} as AlertsService,
    });
    const middleware = MiddlewareFactory.create({
      config: new ConfigReader({}),
      logger: testLogger(),
    });
    server = express().use(router).use(middleware.error()).listen(0);
    await new Promise(resolve => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: await response.json() };
  };

  it.each([
    ['?window=1h%5D)%20or%20vector(1)%20%23', 'window'],
    ['?window=sum(rate(http_requests_total%5B5m%5D))', 'window'],
    ['?window=31d', 'window'],
    ['?window=90d', 'window'],
    ['?environment=qa', 'environment'],
    ['?environment=staging%22%7D%20or%20up%7B', 'environment'],
    ['?query=up', 'query'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const { status, body } = await get(`${base}${query}`);
    expect(status).toBe(400);
    expect(body.error.name).toBe('InputError');
    expect(body.error.message).toMatch(new RegExp(`^${field}|\\b${field}\\b`));
  });

  it('is a 404 for an entity the catalog does not have', async () => {
    const { status, body } = await get(
      '/entities/component/default/nobody/metrics',
    );
    expect(status).toBe(404);
    expect(body.error.name).toBe('NotFoundError');
  });

  it('says metrics are not available, as a 503, when Prometheus does not answer', async () => {
    const { status, body } = await get(`${base}?window=30d`);
    expect(status).toBe(503);
    expect(body.error.name).toBe('ServiceUnavailableError');
    expect(body.error.message).toMatch(
      /^Metrics are not available: Prometheus at http:\/\/127\.0\.0\.1:\d+ does not answer/,
    );
  });
});

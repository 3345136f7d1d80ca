import { ConfigReader } from '@backstage/config';
import {
  testHttpAuth,
  testLogger,
} from '@paved/plugin-provisioning-node/testDoubles';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { createRouter } from '../router';
import { InsightsService } from '../services/Insights';
import { FeedbackService } from '../services/Feedback';
import { AlertsService } from '../services/Alerts';
import { BuildService } from '../services/BuildService';
import { DeploymentService } from '../services/DeploymentService';
import { MetricsService } from '../services/MetricsService';
import { LogsService } from '../services/LogsService';
import { SecretsService } from '../services/SecretsService';

// The routes' validation alone: bad input is a 400 naming the field and the
// fix before the service is asked: the spec's checks (schema/validation.ts:
// types, unknown fields, minimum) and the secrets' own (key names, values). The service here only records what
// reached it; the real one is tested in secrets.platform.test.ts.
describe('secrets routes', () => {
  const reached: unknown[] = [];
  const secrets: SecretsService = {
    list: async () => ({ environment: 'staging', vaultPath: 'x', items: [] }),
    change: async (...args) => {
      reached.push(args[2]);
      return {
        dryRun: true,
        environment: 'staging',
        changes: [],
        restarts: [],
      };
    },
    rollback: async (...args) => {
      reached.push(args[2]);
      return {
        dryRun: true,
        environment: 'staging',
        changes: [],
        restarts: [],
      };
    },
    rotate: async (...args) => {
      reached.push(args[2]);
      return {
        dryRun: true,
        environment: 'staging',
        changes: [],
        restarts: [],
      };
    },
  };
  let server: Server;
  let url: string;
  const base =
    '/entities/component/default/orders/environments/staging/secrets';

  beforeAll(async () => {
    const router = await createRouter({
      httpAuth: testHttpAuth(),
      deployments: {} as DeploymentService,
      builds: {} as BuildService,
      metrics: {} as MetricsService,
      logs: {} as LogsService,
      secrets,
      insights: {} as InsightsService,
      feedback: {} as FeedbackService,
      alerts: {} as AlertsService,
    });
    const middleware = MiddlewareFactory.create({
      config: new ConfigReader({}),
      logger: testLogger(),
    });
    const app = express().use(router).use(middleware.error());
    server = app.listen(0);
    await new Promise(resolve => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));
  beforeEach(() => reached.splice(0));

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it.each([
    [
      { set: { '1BAD': 'v' } },
      'set.1BAD: is not a valid environment variable name: use letters, digits and "_", not starting with a digit (e.g. API_TOKEN)',
    ],
    [
      { set: { 'API-TOKEN': 'v' } },
      'set.API-TOKEN: is not a valid environment variable name',
    ],
    [
      { set: { API_TOKEN: '' } },
      'set.API_TOKEN: is empty; give a value, or unset the key',
    ],
    [
      { set: { API_TOKEN: 'x'.repeat(64 * 1024 + 1) } },
      'set.API_TOKEN: is 65537 bytes; values may have at most 65536 bytes (64 KiB)',
    ],
    [{ set: { API_TOKEN: 7 } }, 'set.API_TOKEN: must be a string'],
    [
      { unset: ['has space'] },
      'unset.0: is not a valid environment variable name',
    ],
    [
      { set: { A: 'v' }, dryrun: true },
      'dryrun: unknown field; the fields are set, unset, dryRun',
    ],
  ])('refuses %j with a 400 naming the field', async (body, message) => {
    const response = await post('', body);
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toContain(message);
    expect(reached).toEqual([]);
  });

  it('never quotes a refused value', async () => {
    const value = `secret-${'y'.repeat(70 * 1024)}`;
    const response = await post('', {
      set: { BAD_KEY_: value, 'no-good': 'also-secret' },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toContain('secret-y');
    expect(JSON.stringify(response.body)).not.toContain('also-secret');
  });

  it('accepts a value of exactly 64 KiB and passes dryRun on', async () => {
    const response = await post('', {
      set: { API_TOKEN: 'x'.repeat(64 * 1024) },
      dryRun: true,
    });
    expect(response.status).toBe(200);
    expect(reached).toHaveLength(1);
  });

  it('checks rollback and rotate bodies', async () => {
    expect(
      (await post('/rollback', { toVersion: -1 })).body.error.message,
    ).toBe('toVersion: must be >= 0');
    expect((await post('/rollback', { toVersion: 1.5 })).status).toBe(400);
    expect(
      (await post('/rotate', { keys: ['1X'] })).body.error.message,
    ).toMatch(/^keys.0: is not a valid environment variable name/);
    expect((await post('/rotate', {})).status).toBe(200);
    expect((await post('/rollback', {})).status).toBe(200);
    expect(reached).toEqual([{}, {}]);
  });
});

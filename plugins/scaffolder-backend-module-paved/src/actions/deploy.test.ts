import { testAuth } from '@paved/plugin-provisioning-node/testDoubles';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createDeployAction } from './deploy';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './deploy.examples';

/**
 * The deployments API's side of the contract this action relies on (POST
 * /deployments, GET /deployments/:id), served on loopback; the whole path
 * against the real API runs in createService.platform.test.ts.
 */
async function deploymentsApi(
  outcomes: Array<Record<string, unknown>>,
  onPost?: (body: any, headers: http.IncomingHttpHeaders) => void,
) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/deployments/deployments') {
        const parsed = JSON.parse(body);
        onPost?.(parsed, req.headers);
        if (parsed.environment === 'production') {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              error: {
                name: 'InputError',
                message:
                  'environment: production requires an approval, so it is not deployed to directly',
              },
              request: { method: 'POST', url: req.url },
              response: { statusCode: 400 },
            }),
          );
          return;
        }
        res.statusCode = 202;
        res.end(JSON.stringify({ id: 'd-1', status: 'rolling-out' }));
        return;
      }
      if (req.url === '/api/deployments/deployments/d-1') {
        res.end(JSON.stringify(outcomes.shift() ?? { status: 'rolling-out' }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const discovery = {
    getBaseUrl: jest.fn(
      async (id: string) => `http://127.0.0.1:${port}/api/${id}`,
    ),
    getExternalBaseUrl: jest.fn(),
  };
  return { server, discovery };
}

const action = (discovery: any) =>
  createDeployAction({
    discovery,
    auth: testAuth('scaffolder'),
    pollIntervalMs: 5,
  });

describe('paved:deployment:deploy', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('deploys as the user running the template and follows the rollout to its end', async () => {
    const posted: any[] = [];
    const { server, discovery } = await deploymentsApi(
      [
        { id: 'd-1', status: 'rolling-out' },
        {
          id: 'd-1',
          status: 'succeeded',
          message: 'Rolled out: 1 of 1 replicas available',
        },
      ],
      (body, headers) => posted.push({ body, auth: headers.authorization }),
    );
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'orders-api',
        environment: 'staging',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    await action(discovery).handler(context);
    expect(posted).toEqual([
      {
        body: {
          entityRef: 'component:default/orders-api',
          environment: 'staging',
          image: 'registry.paved.local/orders-api:abc123',
        },
        auth: expect.stringMatching(/^Bearer /),
      },
    ]);
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'd-1');
  });

  it("fails with the rollout's reason and logs the container's last lines", async () => {
    const { server, discovery } = await deploymentsApi([
      {
        id: 'd-1',
        status: 'failed',
        failureReason: 'CrashLoop',
        message: 'Container orders-api keeps crashing',
        logTail: 'Error: PORT must be a port number',
      },
    ]);
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'component:default/orders-api',
        environment: 'staging',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    const logged = jest.spyOn(context.logger, 'error');
    await expect(action(discovery).handler(context)).rejects.toThrow(
      'Deploying registry.paved.local/orders-api:abc123 to staging failed (CrashLoop): Container orders-api keeps crashing',
    );
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('PORT must be a port number'),
    );
  });

  it("passes the API's refusal on, by its words", async () => {
    const { server, discovery } = await deploymentsApi([]);
    close = () => server.close();
    const context = mockActionContext({
      input: {
        entityRef: 'component:default/orders-api',
        environment: 'production',
        image: 'registry.paved.local/orders-api:abc123',
      },
    });
    await expect(action(discovery).handler(context)).rejects.toMatchObject({
      name: 'ResponseError',
      body: { error: { name: 'InputError' } },
    });
  });

  it('does nothing in a dry run', async () => {
    const discovery = { getBaseUrl: jest.fn(), getExternalBaseUrl: jest.fn() };
    const context = {
      ...mockActionContext({
        input: {
          entityRef: 'component:default/orders-api',
          environment: 'staging',
          image: 'registry.paved.local/orders-api:abc123',
        },
      }),
      isDryRun: true,
    };
    await action(discovery).handler(context);
    expect(discovery.getBaseUrl).not.toHaveBeenCalled();
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'dry-run');
  });

  it.each(
    // The template expressions stand for what an earlier step gives.
    exampleInputs(examples, 'paved:deployment:deploy', {
      'parameters.name': 'orders-api',
      "steps['build'].output.image": 'registry.paved.local/orders-api:abc123',
    }),
  )('runs its example: %s', async (_description, input) => {
    const { server, discovery } = await deploymentsApi([
      { id: 'd-1', status: 'succeeded', message: 'Rolled out' },
    ]);
    close = () => server.close();
    const context = mockActionContext({ input: input as any });
    await action(discovery).handler(context);
    expect(context.output).toHaveBeenCalledWith('deploymentId', 'd-1');
  });
});

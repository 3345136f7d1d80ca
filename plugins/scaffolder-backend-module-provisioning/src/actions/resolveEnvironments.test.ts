import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './resolveEnvironments.examples';
import { createResolveEnvironmentsAction } from './resolveEnvironments';

describe('paved:environments:resolve', () => {
  const action = createResolveEnvironmentsAction({
    environments: [
      {
        name: 'staging',
        cluster: 'local',
        namespacePattern: '{service}-staging',
        requiresApproval: false,
        autoRollback: true,
      },
      {
        name: 'production',
        cluster: 'local',
        namespacePattern: 'prod-{service}',
        requiresApproval: true,
        autoRollback: true,
      },
    ],
  });

  it("outputs the service's namespace per environment", async () => {
    const context = mockActionContext({
      input: { service: 'orders-api' },
    });
    await action.handler(context);
    expect(context.output).toHaveBeenCalledWith('namespaces', {
      staging: 'orders-api-staging',
      production: 'prod-orders-api',
    });
    expect(context.output).toHaveBeenCalledWith('environments', [
      'staging',
      'production',
    ]);
  });

  it('declares the service name rule in its schema', () => {
    const schema = action.schema?.input as {
      properties: { service: { pattern: string } };
    };
    expect(schema.properties.service.pattern).toBe('^[a-z][a-z0-9-]{1,38}$');
  });

  it.each(
    exampleInputs(examples, 'paved:environments:resolve', {
      'parameters.name': 'orders-api',
    }),
  )('runs its example: %s', async (_description, input) => {
    const context = mockActionContext({ input: input as any });
    await action.handler(context);
    expect(context.output).toHaveBeenCalledWith('namespaces', {
      staging: 'orders-api-staging',
      production: 'prod-orders-api',
    });
  });
});

import { ConfigReader } from '@backstage/config';
import { namespacesFor, readEnvironments, serviceUrlFor } from './environments';

describe('readEnvironments', () => {
  it("reads paved.environments and names each service's namespaces", () => {
    const environments = readEnvironments(
      new ConfigReader({
        paved: {
          environments: [
            {
              name: 'staging',
              cluster: 'local',
              namespacePattern: '{service}-staging',
            },
            {
              name: 'production',
              cluster: 'local',
              namespacePattern: 'prod-{service}',
              requiresApproval: true,
              autoRollback: false,
            },
          ],
        },
      }),
    );
    expect(environments.map(e => e.requiresApproval)).toEqual([false, true]);
    // A failed rollout is rolled back unless an environment says otherwise.
    expect(environments.map(e => e.autoRollback)).toEqual([true, false]);
    expect(namespacesFor(environments, 'orders-api')).toEqual({
      staging: 'orders-api-staging',
      production: 'prod-orders-api',
    });
  });

  it("names a service's URL from the environment's pattern, else the platform gateway's", () => {
    const [staging, production] = readEnvironments(
      new ConfigReader({
        paved: {
          platform: {
            gateway: { url: 'http://{service}.{namespace}.localhost:8900' },
          },
          environments: [
            {
              name: 'staging',
              cluster: 'local',
              namespacePattern: '{service}-staging',
            },
            {
              name: 'production',
              cluster: 'prod',
              namespacePattern: '{service}',
              urlPattern: 'https://{service}.{environment}.apps.acme.example',
            },
          ],
        },
      }),
    );
    expect(serviceUrlFor(staging, 'orders')).toBe(
      'http://orders.orders-staging.localhost:8900',
    );
    expect(serviceUrlFor(production, 'orders')).toBe(
      'https://orders.production.apps.acme.example',
    );
    const [bare] = readEnvironments(
      new ConfigReader({
        paved: {
          environments: [
            { name: 'dev', cluster: 'local', namespacePattern: '{service}' },
          ],
        },
      }),
    );
    expect(serviceUrlFor(bare, 'orders')).toBeUndefined();
  });

  it('refuses a pattern without {service}, saying what to write', () => {
    expect(() =>
      readEnvironments(
        new ConfigReader({
          paved: {
            environments: [
              {
                name: 'staging',
                cluster: 'local',
                namespacePattern: 'staging',
              },
            ],
          },
        }),
      ),
    ).toThrow(/namespacePattern "staging" of staging must contain \{service\}/);
  });
});

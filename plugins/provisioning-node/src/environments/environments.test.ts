import { ConfigReader } from '@backstage/config';
import { namespacesFor, readEnvironments } from './environments';

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
            },
          ],
        },
      }),
    );
    expect(environments.map(e => e.requiresApproval)).toEqual([false, true]);
    expect(namespacesFor(environments, 'orders-api')).toEqual({
      staging: 'orders-api-staging',
      production: 'prod-orders-api',
    });
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

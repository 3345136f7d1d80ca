import { InputError } from '@backstage/errors';
import { Environment } from '@paved/plugin-provisioning-node';
import { clusterRuns } from './tofuApply';

// Which cluster(s) a module runs against; the runs themselves: tofuApply.platform.test.ts.
const env = (name: string, cluster: string): Environment => ({
  name,
  cluster,
  namespacePattern: `{service}-${name}`,
  requiresApproval: false,
  autoRollback: true,
});
const clusters = (...environments: Environment[]) => ({
  environments: () => environments,
});
const variables = {
  service: 'orders-api',
  namespaces: { staging: 'orders-api-staging', production: 'orders-api-prod' },
};

describe('clusterRuns', () => {
  it('runs once, in the workspace, when every environment is on one cluster', () => {
    expect(
      clusterRuns(
        clusters(env('staging', 'local'), env('production', 'local')),
        { workspace: 'orders-api', variables },
      ),
    ).toEqual([{ cluster: 'local', workspace: 'orders-api', variables }]);
  });

  it('splits namespaces per environment by cluster, the first cluster keeping the workspace', () => {
    expect(
      clusterRuns(clusters(env('staging', 'east'), env('production', 'west')), {
        workspace: 'orders-api',
        variables,
      }),
    ).toEqual([
      {
        cluster: 'east',
        workspace: 'orders-api',
        variables: {
          ...variables,
          namespaces: { staging: 'orders-api-staging' },
        },
      },
      {
        cluster: 'west',
        workspace: 'orders-api-west',
        variables: {
          ...variables,
          namespaces: { production: 'orders-api-prod' },
        },
      },
    ]);
  });

  it("targets the named environment's cluster, else the first environment's", () => {
    const two = clusters(env('staging', 'east'), env('production', 'west'));
    const database = { service: 'orders-api' };
    expect(
      clusterRuns(two, {
        workspace: 'orders-api',
        environment: 'production',
        variables: database,
      }),
    ).toEqual([
      { cluster: 'west', workspace: 'orders-api', variables: database },
    ]);
    expect(
      clusterRuns(two, { workspace: 'orders-api', variables: database }),
    ).toEqual([
      { cluster: 'east', workspace: 'orders-api', variables: database },
    ]);
    expect(() =>
      clusterRuns(two, {
        workspace: 'orders-api',
        environment: 'qa',
        variables: database,
      }),
    ).toThrow(
      new InputError(
        'environment: no environment qa; paved.environments has staging, production',
      ),
    );
  });
});

import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { deploymentsPlugin } from './plugin';

// The start-up check of each environment's cluster (no cluster is reached: fast tier).
describe('deploymentsPlugin', () => {
  const start = (productionCluster: string) =>
    startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'local',
                      url: 'https://127.0.0.1:1',
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'unused',
                      skipTLSVerify: true,
                    },
                  ],
                },
              ],
            },
            paved: {
              platform: {
                vault: { address: 'http://127.0.0.1:1', token: 'unused' },
              },
              environments: [
                {
                  name: 'staging',
                  cluster: 'local',
                  namespacePattern: '{service}-staging',
                },
                {
                  name: 'production',
                  cluster: productionCluster,
                  namespacePattern: '{service}-production',
                  requiresApproval: true,
                },
              ],
            },
          },
        }),
      ],
    });

  it('fails to start, naming the environment, its cluster and where to configure it, when the cluster is not configured', async () => {
    await expect(start('prod-eu')).rejects.toThrow(
      /environment production runs on cluster prod-eu, which is not configured; add it to kubernetes\.clusterLocatorMethods .*Configured clusters: local/,
    );
  });

  it('starts when every environment names a configured cluster', async () => {
    const backend = await start('local');
    await backend.stop();
  });
});

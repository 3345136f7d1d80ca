import { isGoldenPath } from './filters';
import deploymentsPlugin from './index';

describe('deployments plugin', () => {
  it('is the frontend plugin with id deployments', () => {
    expect(deploymentsPlugin.pluginId).toBe('deployments');
  });

  it('shows only on golden-path components', () => {
    const component = (annotations: Record<string, string>) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orders-api', annotations },
    });
    expect(
      isGoldenPath(component({ 'paved.dev/golden-path': 'create-service' })),
    ).toBe(true);
    expect(isGoldenPath(component({}))).toBe(false);
    expect(
      isGoldenPath({
        ...component({ 'paved.dev/golden-path': 'create-service' }),
        kind: 'API',
      }),
    ).toBe(false);
  });
});

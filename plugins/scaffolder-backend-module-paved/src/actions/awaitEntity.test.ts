import { testCatalog } from '@paved/plugin-provisioning-node/testDoubles';
import { Entity } from '@backstage/catalog-model';
import { createAwaitEntityAction } from './awaitEntity';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './awaitEntity.examples';

const orders: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', namespace: 'default' },
  spec: {
    type: 'service',
    owner: 'group:default/storefront-team',
    lifecycle: 'experimental',
  },
};

describe('paved:catalog:await-entity', () => {
  it('returns once the entity appears', async () => {
    const entities: Entity[] = [];
    const catalog = Object.assign(testCatalog([]), {
      getEntityByRef: jest.fn(async () => entities[0]),
    });
    setTimeout(() => entities.push(orders), 50);
    const context = mockActionContext({
      input: { entityRef: 'component:orders-api' },
    });
    await createAwaitEntityAction({ catalog, pollIntervalMs: 10 }).handler(
      context,
    );
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(
      'component:default/orders-api',
      expect.anything(),
    );
    expect(
      (catalog.getEntityByRef as jest.Mock).mock.calls.length,
    ).toBeGreaterThan(1);
  });

  it('fails with what to check when the entity never appears', async () => {
    const catalog = testCatalog([]);
    const context = mockActionContext({
      input: { entityRef: 'component:default/ghost', timeoutSeconds: 1 },
    });
    await expect(
      createAwaitEntityAction({ catalog, pollIntervalMs: 100 }).handler(
        context,
      ),
    ).rejects.toThrow(
      /component:default\/ghost was registered but is not in the catalog after 1 s/,
    );
  });

  it('does not wait in a dry run', async () => {
    const catalog = testCatalog([]);
    const context = {
      ...mockActionContext({
        input: { entityRef: 'component:default/ghost' },
      }),
      isDryRun: true,
    };
    await createAwaitEntityAction({ catalog }).handler(context);
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it.each(
    exampleInputs(examples, 'paved:catalog:await-entity', {
      "steps['register'].output.entityRef": 'component:default/orders-api',
    }),
  )('runs its example: %s', async (_description, input) => {
    const catalog = testCatalog([orders]);
    await expect(
      createAwaitEntityAction({ catalog }).handler(
        mockActionContext({ input: input as any }),
      ),
    ).resolves.toBeUndefined();
  });
});

import { testCatalog } from '@paved/plugin-provisioning-node/testDoubles';
import { InputError } from '@backstage/errors';
import { createAssertEntityExistsAction } from './assertEntityExists';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './assertEntityExists.examples';

describe('paved:catalog:assert-exists', () => {
  const catalog = testCatalog([
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'storefront-team', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'storefront', namespace: 'default' },
      spec: { owner: 'storefront-team' },
    },
  ]);
  const run = (entityRef: string, kinds = ['Group', 'User']) =>
    createAssertEntityExistsAction({ catalog }).handler(
      mockActionContext({ input: { entityRef, field: 'owner', kinds } }),
    );

  it('accepts an owner in the catalog, with or without kind and namespace', async () => {
    await expect(run('group:default/storefront-team')).resolves.toBeUndefined();
    await expect(run('storefront-team')).resolves.toBeUndefined();
  });

  it('refuses an owner that does not exist, naming the field', async () => {
    await expect(run('group:default/ghost-team')).rejects.toThrow(InputError);
    await expect(run('group:default/ghost-team')).rejects.toThrow(
      'owner: group:default/ghost-team is not in the catalog. Pick an existing Group or User',
    );
  });

  it('refuses an entity of the wrong kind', async () => {
    await expect(run('system:default/storefront')).rejects.toThrow(
      'owner: system:default/storefront is a System; it must be a Group or User.',
    );
  });

  it('refuses something that is not a reference', async () => {
    await expect(run('group:')).rejects.toThrow(
      /owner: "group:" is not an entity reference/,
    );
  });

  it.each(
    exampleInputs(examples, 'paved:catalog:assert-exists', {
      'parameters.owner': 'group:default/storefront-team',
    }),
  )('runs its example: %s', async (_description, input) => {
    await expect(
      createAssertEntityExistsAction({ catalog }).handler(
        mockActionContext({ input: input as any }),
      ),
    ).resolves.toBeUndefined();
  });
});

import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Deploy an image of an entity to an environment. */
export const deploymentCreatePermission = createPermission({
  name: 'paved.deployment.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Promote what runs in one environment to the next. */
export const deploymentPromotePermission = createPermission({
  name: 'paved.deployment.promote',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Approve or reject a promotion into an environment that requires approval. */
export const deploymentApprovePermission = createPermission({
  name: 'paved.deployment.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Deploy an earlier deployment's image again. */
export const deploymentRollbackPermission = createPermission({
  name: 'paved.deployment.rollback',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const deploymentPermissions = [
  deploymentCreatePermission,
  deploymentPromotePermission,
  deploymentApprovePermission,
  deploymentRollbackPermission,
];

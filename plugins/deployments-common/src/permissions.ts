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

/** See a service's secret names, versions and who changed them (never values). */
export const secretReadPermission = createPermission({
  name: 'paved.secret.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Set, unset and roll back a service's secrets in an environment. */
export const secretWritePermission = createPermission({
  name: 'paved.secret.write',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Rotate a service's generated secrets in an environment. */
export const secretRotatePermission = createPermission({
  name: 'paved.secret.rotate',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Fetch the login of a service's database in an environment, password
 * included, to connect with it (`paved db connect`). Distinct from
 * `paved.secret.read`, which shows names and versions only.
 */
export const databaseConnectPermission = createPermission({
  name: 'paved.database.connect',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const secretPermissions = [
  secretReadPermission,
  secretWritePermission,
  secretRotatePermission,
  databaseConnectPermission,
];

/**
 * See the platform insights: DORA figures, adoption (everyone by default;
 * feedback comments stay the platform team's).
 */
export const insightsReadPermission = createPermission({
  name: 'paved.insights.read',
  attributes: { action: 'read' },
});

export const insightsPermissions = [insightsReadPermission];

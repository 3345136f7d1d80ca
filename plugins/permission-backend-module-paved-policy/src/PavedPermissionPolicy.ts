import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  DEFAULT_PLATFORM_TEAM,
  deploymentPermissions,
  secretPermissions,
} from '@paved/plugin-deployments-common';

/** Guarded per entity: its owners and the platform team. */
const ownerPermissions = [...deploymentPermissions, ...secretPermissions];

/**
 * The default platform team; config `paved.platformTeam` names another
 * (read by readPlatformTeam in deployments-common).
 */
export const PLATFORM_TEAM = DEFAULT_PLATFORM_TEAM;

/**
 * Paved's default policy.
 *
 * - `paved.deployment.*` (deploy, promote, approve, rollback),
 *   `paved.secret.*` (read, write, rotate a service's secrets) and
 *   `paved.database.connect` (fetch the database login, password included,
 *   for `paved db connect`): the entity's owners, that is members of its
 *   owning group, and the platform team.
 * - Everything else Backstage guards stays open to signed-in users, as with
 *   the allow-all policy this replaces.
 *
 * Two rules are not policy but invariants, so the deployments backend
 * enforces them whatever the policy says: environments that require an
 * approval are reached only by promotion, and nobody decides their own
 * promotion. That backend also refuses approvers outside the owning group
 * and the platform team, so a policy can narrow who approves, not widen it.
 */
export class PavedPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly userInfo: UserInfoService,
    /** The platform team's group ref (`paved.platformTeam`). */
    private readonly platformTeam: string = DEFAULT_PLATFORM_TEAM,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const deploymentPermission = ownerPermissions.find(permission =>
      isPermission(request.permission, permission),
    );
    if (!deploymentPermission) return { result: AuthorizeResult.ALLOW };
    // Only people deploy; a service acting on its own behalf has no owner to speak for.
    if (!user) return { result: AuthorizeResult.DENY };

    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    if (
      ownershipEntityRefs
        .map(ref => ref.toLocaleLowerCase('en-US'))
        .includes(this.platformTeam)
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    // The catalog decides ownership per entity when the check names one.
    return createCatalogConditionalDecision(
      deploymentPermission,
      catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
    );
  }
}

import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { ApprovalRequest } from '@paved/plugin-deployments-common';

/** Who may decide a promotion that waits for approval. */
export interface ApproverRule {
  /**
   * Resolves when `user` may decide `approval` now; a ConflictError when it
   * was decided already, a NotAllowedError when the user may not decide it.
   */
  check(decision: {
    user: string;
    approval: ApprovalRequest;
    entity: Entity;
    credentials: BackstageCredentials;
  }): Promise<void>;
}

/** The groups a user belongs to, as entity refs (the user's own ref may be among them). */
export interface MembershipSource {
  groupsOf(user: string, credentials: BackstageCredentials): Promise<string[]>;
}

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** The entity's owners, as lowercased entity refs: `spec.owner` and its `ownedBy` relations. */
export function ownersOf(entity: Entity): string[] {
  const owners = new Set<string>();
  const namespace = entity.metadata.namespace ?? 'default';
  const owner = entity.spec?.owner;
  if (typeof owner === 'string') {
    owners.add(
      lower(
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: namespace,
          }),
        ),
      ),
    );
  }
  for (const relation of entity.relations ?? []) {
    if (relation.type === 'ownedBy') owners.add(lower(relation.targetRef));
  }
  return [...owners];
}

/**
 * A pending approval is decided by a member of the owning group or of the
 * platform team, never by the one who requested it (docs/architecture.md,
 * Permissions).
 */
export class OwnerOrPlatformTeamApproverRule implements ApproverRule {
  constructor(
    private readonly options: {
      membership: MembershipSource;
      /** The platform team's group ref (config `paved.platformTeam`). */
      platformTeam: string;
    },
  ) {}

  async check({
    user,
    approval,
    entity,
    credentials,
  }: {
    user: string;
    approval: ApprovalRequest;
    entity: Entity;
    credentials: BackstageCredentials;
  }): Promise<void> {
    const { platformTeam } = this.options;
    if (approval.status !== 'pending') {
      throw new ConflictError(
        `Approval ${approval.id} is already ${approval.status}${
          approval.decidedBy ? ` by ${approval.decidedBy}` : ''
        }`,
      );
    }
    if (approval.requestedBy === user) {
      throw new NotAllowedError(
        `${user} requested this promotion and may not decide it; another member of the owning group or of ${platformTeam} must`,
      );
    }
    const deciders = [...ownersOf(entity), platformTeam];
    const groups = new Set(
      [
        user,
        ...(await this.options.membership.groupsOf(user, credentials)),
      ].map(lower),
    );
    if (!deciders.some(ref => groups.has(lower(ref)))) {
      throw new NotAllowedError(
        `${user} may not decide promotions of ${
          approval.entityRef
        }: only members of ${deciders.join(' or ')} may`,
      );
    }
  }
}

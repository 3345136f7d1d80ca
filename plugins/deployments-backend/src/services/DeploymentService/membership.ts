import {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MembershipSource } from './approverRule';

/**
 * A user's groups from the caller's token (its ownership refs) and from the
 * catalog (the User's `memberOf` relations and spec), read with the backend's
 * own credentials.
 */
export class CatalogMembershipSource implements MembershipSource {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      userInfo: UserInfoService;
    },
  ) {}

  async groupsOf(
    user: string,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const refs: string[] = [];
    try {
      const info = await this.options.userInfo.getUserInfo(credentials);
      refs.push(...info.ownershipEntityRefs);
    } catch {
      // Not every token carries ownership; the catalog below does.
    }
    const userEntity = await this.options.catalog.getEntityByRef(user, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (userEntity) {
      for (const relation of userEntity.relations ?? []) {
        if (relation.type === 'memberOf') refs.push(relation.targetRef);
      }
      const memberOf = userEntity.spec?.memberOf;
      if (Array.isArray(memberOf)) {
        for (const group of memberOf) {
          if (typeof group !== 'string') continue;
          refs.push(
            stringifyEntityRef(
              parseEntityRef(group, {
                defaultKind: 'group',
                defaultNamespace: userEntity.metadata.namespace ?? 'default',
              }),
            ),
          );
        }
      }
    }
    return refs;
  }
}

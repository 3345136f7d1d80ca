import { createBackendModule } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The header that names the user, e.g. `priya-raman` or `user:default/priya-raman`. */
export const LOCAL_USER_HEADER = 'x-paved-local-user';

/**
 * Reads the user from the request. Like the guest provider, it refuses to
 * run outside development unless configured to, because anyone can claim
 * any name.
 */
const localUserAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { userEntityRef: string }) => ({
    profile: { displayName: parseEntityRef(result.userEntityRef).name },
  }),
  initialize({ config }) {
    return {
      disabled:
        process.env.NODE_ENV !== 'development' &&
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !==
          true,
    };
  },
  async authenticate({ req }, { disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        "The localUser provider lets anyone claim any user, so it only runs in development; set 'auth.providers.localUser.dangerouslyAllowOutsideDevelopment' to use it elsewhere",
      );
    }
    const name = req.header(LOCAL_USER_HEADER)?.trim();
    if (!name) {
      throw new InputError(
        `${LOCAL_USER_HEADER}: name the User of the catalog to sign in as, e.g. priya-raman`,
      );
    }
    let userEntityRef: string;
    try {
      userEntityRef = stringifyEntityRef(
        parseEntityRef(name, {
          defaultKind: 'user',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(`${LOCAL_USER_HEADER}: ${(error as Error).message}`);
    }
    return { result: { userEntityRef } };
  },
});

/** Local sign-in as any User of the catalog (`auth.providers.localUser`). */
export const authModuleLocalUserProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'local-user-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
      },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'localUser',
          factory: createProxyAuthProviderFactory({
            authenticator: localUserAuthenticator,
            // Users who are not in the catalog are refused: ownership and
            // permissions come from their catalog entity and its groups.
            async signInResolver({ result }, ctx) {
              try {
                return await ctx.signInWithCatalogUser({
                  entityRef: result.userEntityRef,
                });
              } catch (error) {
                if ((error as Error).name !== 'NotFoundError') throw error;
                throw new NotFoundError(
                  `${LOCAL_USER_HEADER}: there is no ${result.userEntityRef} in the catalog; sign in as one of the Users in catalog/org/users.yaml`,
                );
              }
            },
          }),
        });
      },
    });
  },
});

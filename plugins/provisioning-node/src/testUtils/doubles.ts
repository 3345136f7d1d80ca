/*
 * Light stand-ins for the Backstage services that the rule tests (the fast tier,
 * docs/decisions/0010) hand to Paved's services and actions: a logger, credentials, auth,
 * permissions and a catalog of given entities. Imported as
 * `@paved/plugin-provisioning-node/testDoubles`, apart from `./testUtils`, which loads the
 * platform's clients.
 *
 * `@backstage/backend-test-utils` (mockServices, mockCredentials) and
 * `@backstage/plugin-catalog-node/testUtils` give the same, but each loads the whole default
 * backend (about 3,000 modules, 4–6 s of CPU) into every test file that imports it. The
 * wiring tests (startTestBackend) and the platform tests keep using them.
 */
import type {
  AuthService,
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotImplementedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/** A logger whose methods are jest mocks; `child()` returns the same logger. */
export function testLogger(): jest.Mocked<LoggerService> {
  const logger = {
    error: jest.fn(),
    warn: jest.fn(),
    info: jest.fn(),
    debug: jest.fn(),
    child: jest.fn(),
  } as jest.Mocked<LoggerService>;
  logger.child.mockReturnValue(logger);
  return logger;
}

/** Credentials as the auth service hands them to a plugin (same shape as mockCredentials). */
export const testCredentials = {
  user(
    userEntityRef = 'user:default/mock',
  ): BackstageCredentials<BackstagePrincipalTypes['user']> {
    return {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef },
    };
  },
  service(
    subject = 'plugin:test',
  ): BackstageCredentials<BackstagePrincipalTypes['service']> {
    return {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'service', subject },
    };
  },
};

/**
 * The part of the auth service the deployment and build services use: the plugin's own
 * credentials, principal checks, and tokens for calls to other plugins.
 */
export function testAuth(pluginId = 'deployments'): AuthService {
  return {
    async getOwnServiceCredentials() {
      return testCredentials.service(`plugin:${pluginId}`);
    },
    isPrincipal: ((
      credentials: BackstageCredentials,
      type: keyof BackstagePrincipalTypes,
    ) =>
      type === 'unknown' ||
      (credentials.principal as { type: string }).type ===
        type) as AuthService['isPrincipal'],
    async getPluginRequestToken({ targetPluginId }) {
      return { token: `test-token:${pluginId}:${targetPluginId}` };
    },
    async getNoneCredentials() {
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'none' },
      };
    },
    async authenticate() {
      throw new NotImplementedError('testAuth does not authenticate tokens');
    },
    async getLimitedUserToken() {
      throw new NotImplementedError('testAuth issues no user tokens');
    },
    async listPublicServiceKeys() {
      return { keys: [] };
    },
  };
}

/**
 * An HTTP auth service for a router under test: every request is made by the
 * given user (as `mockServices.httpAuth()` does for a request without a
 * token); a route that allows only other principals gets a NotAllowedError.
 */
export function testHttpAuth(
  userEntityRef = 'user:default/mock',
): HttpAuthService {
  return {
    credentials: (async (_req: unknown, options?: { allow?: string[] }) => {
      if (options?.allow && !options.allow.includes('user')) {
        throw new NotAllowedError(
          `This route allows only ${options.allow.join(', ')} principals`,
        );
      }
      return testCredentials.user(userEntityRef);
    }) as HttpAuthService['credentials'],
    async issueUserCookie() {
      return { expiresAt: new Date(Date.now() + 3600_000) };
    },
  };
}

/** A permission service that gives every request the same decision. */
export function testPermissions(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
): PermissionsService {
  return {
    authorize: async requests => requests.map(() => ({ result })),
    authorizeConditional: async requests =>
      requests.map(() => ({ result } as any)),
  };
}

/**
 * A catalog that holds the given entities. `getEntityByRef` is a jest mock (so a test can
 * look at its calls or replace it); every other method throws NotImplementedError.
 */
export function testCatalog(
  entities: Entity[],
): CatalogService & { getEntityByRef: jest.Mock } {
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  const getEntityByRef = jest.fn(
    async (ref: string | { kind: string; namespace?: string; name: string }) =>
      byRef.get(typeof ref === 'string' ? ref : stringifyEntityRef(ref)),
  );
  return new Proxy({ getEntityByRef } as any, {
    get(target, method) {
      if (method in target) return target[method];
      return async () => {
        throw new NotImplementedError(
          `testCatalog answers getEntityByRef only, not ${String(method)}`,
        );
      };
    },
  });
}

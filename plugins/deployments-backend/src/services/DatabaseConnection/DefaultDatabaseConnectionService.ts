import { PermissionsService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DatabaseConnection,
  databaseConnectPermission,
} from '@paved/plugin-deployments-common';
import { Environment } from '@paved/plugin-provisioning-node';
import { Caller, DeploymentAuditWriter } from '../DeploymentService';
import {
  getCallerEntity,
  requireUser,
} from '../DeploymentService/callerEntity';
import { environmentNamed } from '../DeploymentService/goldenPath';
import { DatabaseConnectionService } from './types';

/** Where callers reach the platform's PostgreSQL, when not where the pods do (`paved.deployments.databaseConnect`). */
export interface DatabaseConnectAddress {
  host?: string;
  port?: number;
}

export interface DefaultDatabaseConnectionServiceOptions {
  environments: Environment[];
  catalog: CatalogService;
  permissions: PermissionsService;
  audit: DeploymentAuditWriter;
  /** Reads the environment's database login from Vault (VaultEnvironmentSecrets). */
  logins: {
    databaseLogin(
      entity: Entity,
      environment: string,
    ): Promise<Omit<DatabaseConnection, 'environment'>>;
  };
  /** Overrides the host and port in Vault (which are the pods'). */
  address?: DatabaseConnectAddress;
}

/**
 * Hands a user the database login of a service's environment for one
 * session (docs/decisions/0027): `paved.database.connect` on the entity (its
 * owners and the platform team), a signed-in user, an audit event per call
 * naming who, which service and environment and the login, never the
 * password; nothing here logs or records the password.
 */
export class DefaultDatabaseConnectionService
  implements DatabaseConnectionService
{
  constructor(
    private readonly options: DefaultDatabaseConnectionServiceOptions,
  ) {}

  async connect(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<DatabaseConnection> {
    const user = requireUser(caller);
    const entity = await getCallerEntity(
      this.options.catalog,
      entityRef,
      caller,
    );
    const ref = stringifyEntityRef(entity);
    environmentNamed(this.options.environments, environment);
    return this.options.audit.audited(
      {
        actor: user,
        action: 'database-connect',
        entityRef: ref,
        environment,
        message: `Database login requested by ${user}${
          caller.userAgent ? ` (${caller.userAgent.split(' ')[0]})` : ''
        }`,
      },
      async () => {
        const [decision] = await this.options.permissions.authorize(
          [{ permission: databaseConnectPermission, resourceRef: ref }],
          { credentials: caller.credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `Not allowed: ${databaseConnectPermission.name} on ${ref}`,
          );
        }
        const login = await this.options.logins.databaseLogin(
          entity,
          environment,
        );
        const { address } = this.options;
        return {
          environment,
          ...login,
          host: address?.host ?? login.host,
          port: address?.port ?? login.port,
        };
      },
    );
  }
}

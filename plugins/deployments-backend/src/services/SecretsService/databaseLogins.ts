import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { SecretData } from '@paved/plugin-provisioning-node';
import knexFactory, { Knex } from 'knex';
import { generateValue } from './rules';

/** The key that rotates a service's database login; its username and URL change with it. */
export const DATABASE_PASSWORD_KEY = 'DATABASE_PASSWORD';
const PASSWORD_LENGTH = 32;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Letters, digits, "-" and "_" only: safe inline in ALTER ROLE (which takes no bind parameters) and in a URL. */
const SAFE_PASSWORD = /^[A-Za-z0-9_-]+$/;

/** What a database login rotation writes and which login it retires. */
export interface DatabaseLoginRotation {
  /** DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_URL of the new login. */
  data: SecretData;
  /** The login role the environment moves to, and its password. */
  newRole: string;
  password: string;
  /** The owner role (the database module's `<database>_owner`) the new login acts as. */
  ownerRole: string;
  /** The login the environment used before. */
  oldRole: string;
}

/**
 * The next login of an environment: each environment alternates between two
 * login roles of its own, `<owner>_<environment>_a` and `_b`, members of the
 * database module's owner role that act as it (`SET role`), so what either
 * creates is the owner's. The service-wide `database` leaf (OpenTofu's) is
 * the starting point.
 */
export function nextDatabaseLogin(
  database: SecretData,
  own: SecretData,
  environment: string,
  password: string = generateValue(PASSWORD_LENGTH),
): DatabaseLoginRotation {
  const ownerRole = database.username;
  const { host, port } = database;
  const name = database.database;
  if (!ownerRole || !host || !name) {
    throw new ConflictError(
      'keys: the service-wide database secret has no username, host or database; Create Service with a database writes them (templates/modules/postgres-database)',
    );
  }
  const oldRole = own.DATABASE_USERNAME ?? ownerRole;
  const suffix = environment.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const [a, b] = [`${ownerRole}_${suffix}_a`, `${ownerRole}_${suffix}_b`];
  const newRole = oldRole === a ? b : a;
  if (!IDENTIFIER.test(newRole) || !IDENTIFIER.test(ownerRole)) {
    throw new InputError(
      `keys: the login role ${newRole} would not be a PostgreSQL identifier of at most 63 characters; rotate it by hand`,
    );
  }
  if (!SAFE_PASSWORD.test(password)) throw new Error('unsafe password');
  return {
    newRole,
    password,
    ownerRole,
    oldRole,
    data: {
      DATABASE_USERNAME: newRole,
      DATABASE_PASSWORD: password,
      DATABASE_URL: `postgresql://${newRole}:${password}@${host}${
        port ? `:${port}` : ''
      }/${name}`,
    },
  };
}

/** Creates and retires database logins. */
export interface DatabaseLogins {
  /** Makes `role` a login with `password` acting as `ownerRole` (created when missing). */
  enable(role: string, password: string, ownerRole: string): Promise<void>;
  /** Stops `role` logging in (sessions already open stay). */
  disable(role: string): Promise<void>;
}

/** Errors of a server that is down, restarting or unreachable (node's and PostgreSQL's codes). */
const UNREACHABLE =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|57P0[1-3])$/;

/**
 * Whether `error` says the server could not be reached or went away (as
 * opposed to refusing a statement): a 503 a client can retry.
 */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return (
    (typeof e?.code === 'string' && UNREACHABLE.test(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Knex: Timeout acquiring a connection/.test(
      String(e?.message ?? ''),
    )
  );
}

/** Logins on the PostgreSQL server at `paved.platform.postgres.url`, as its admin. */
export class PostgresDatabaseLogins implements DatabaseLogins {
  private readonly db: Knex;
  private readonly server: string;

  constructor(adminUrl: string) {
    this.db = knexFactory({
      client: 'pg',
      connection: adminUrl,
      pool: { min: 0, max: 2 },
      acquireConnectionTimeout: 10_000,
    });
    const url = new URL(adminUrl);
    this.server = `${url.hostname}:${url.port || 5432}`;
  }

  /** Runs `fn`; a server out of reach is a ServiceUnavailableError saying what was (not) done. */
  private async reaching<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      throw new ServiceUnavailableError(
        `PostgreSQL at ${this.server} is unreachable (${
          (error as Error).message
        }), so ${what} did not happen. Start it (locally: yarn platform up) and run the same request again.`,
      );
    }
  }

  async enable(role: string, password: string, ownerRole: string) {
    return this.reaching(`the new database login ${role}`, () =>
      this.enableNow(role, password, ownerRole),
    );
  }

  private async enableNow(role: string, password: string, ownerRole: string) {
    for (const identifier of [role, ownerRole]) {
      if (!IDENTIFIER.test(identifier)) {
        throw new InputError(`Not a PostgreSQL role name: ${identifier}`);
      }
    }
    if (!SAFE_PASSWORD.test(password)) throw new Error('unsafe password');
    const exists = await this.db('pg_roles').where({ rolname: role }).first();
    await this.db.transaction(async tx => {
      await tx.raw(
        exists
          ? `ALTER ROLE "${role}" LOGIN PASSWORD '${password}'`
          : `CREATE ROLE "${role}" LOGIN PASSWORD '${password}' IN ROLE "${ownerRole}"`,
      );
      await tx.raw(`ALTER ROLE "${role}" SET role = '${ownerRole}'`);
    });
  }

  async disable(role: string) {
    if (!IDENTIFIER.test(role)) {
      throw new InputError(`Not a PostgreSQL role name: ${role}`);
    }
    await this.reaching(`retiring the database login ${role}`, () =>
      this.db.raw(`ALTER ROLE "${role}" NOLOGIN`),
    );
  }

  async close() {
    await this.db.destroy();
  }
}

import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  DeploymentSecretChange,
  SecretKey,
  SecretKeyChange,
  SecretList,
} from '@paved/plugin-deployments-common';
import { SecretData, VaultClient } from '@paved/plugin-provisioning-node';
import {
  environmentSecretPath,
  VAULT_PATH_ANNOTATION,
  vaultPathOf,
} from '../DeploymentService/vaultSecret';
import {
  DATABASE_PASSWORD_KEY,
  DatabaseLoginRotation,
  DatabaseLogins,
  nextDatabaseLogin,
} from './databaseLogins';
import {
  changedKeys,
  customMetadataAfter,
  dataAfterRotate,
  dataAfterSet,
  GENERATED_KEYS,
  parseKeyRecord,
  SecretChange,
} from './rules';

/** Pods see `<LEAF>_<KEY>` for a service-wide leaf's key, as secretFromVault names them. */
const envName = (leaf: string, key: string) =>
  `${leaf}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** What a change would do to an environment's own secret. */
export interface SecretPlan {
  mount: string;
  path: string;
  /** The current KV version; 0 when the secret has none yet. */
  currentVersion: number;
  next: SecretData;
  changes: SecretKeyChange[];
  customMetadata: Record<string, string>;
  /** A database login rotation: the login to enable before the new version is written. */
  login?: DatabaseLoginRotation;
}

/** Keys `rotate` renews: the generated ones, and the database password (a new login). */
const rotatable = (key: string) =>
  key in GENERATED_KEYS || key === DATABASE_PASSWORD_KEY;

/**
 * A service's secrets per environment in Vault KV v2: the environment's own
 * secret at `<vault-path>/env/<environment>` (keys are environment variable
 * names; each change is a new version, its custom metadata records who
 * changed each key in which version), overlaid on the service-wide leaves
 * directly below `<vault-path>` that Create Service and OpenTofu write.
 */
export class VaultEnvironmentSecrets {
  private readonly now: () => Date;

  constructor(
    private readonly vault: VaultClient,
    private readonly options: {
      /** Every environment's name: a database login is retired only when none of them uses it any more. */
      environments?: string[];
      /** Where database logins are rotated; none: the database password is not rotated. */
      logins?: DatabaseLogins;
      now?: () => Date;
    } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The service's Vault path; a 400 for an entity without one. */
  locate(entity: Entity, environment: string) {
    const source = vaultPathOf(entity);
    if (!source) {
      throw new InputError(
        `entityRef: ${stringifyEntityRef(
          entity,
        )} has no ${VAULT_PATH_ANNOTATION} annotation, so Paved keeps no secrets for it; the Create Service template (templates/create-service) adds it`,
      );
    }
    return {
      mount: source.mount,
      base: source.path,
      path: environmentSecretPath(source.path, environment),
    };
  }

  /** Every key the environment's pods get, with version and who changed it; no values. */
  async list(entity: Entity, environment: string): Promise<SecretList> {
    const { mount, base, path } = this.locate(entity, environment);
    const kv = this.vault.kv2(mount);
    const leaves = (await kv.list(base)).filter(key => !key.endsWith('/'));
    const [own, metadata, shared] = await Promise.all([
      kv.readVersion(path),
      kv.readMetadata(path),
      Promise.all(
        leaves.sort().map(async leaf => ({
          leaf,
          secret: await kv.readVersion(`${base}/${leaf}`),
          metadata: await kv.readMetadata(`${base}/${leaf}`),
        })),
      ),
    ]);
    const ownKeys = new Set(Object.keys(own?.data ?? {}));
    const items: SecretKey[] = [];
    for (const { leaf, secret, metadata: leafMeta } of shared) {
      if (!secret) continue;
      for (const key of Object.keys(secret.data)) {
        const name = envName(leaf, key);
        const record = parseKeyRecord(leafMeta?.customMetadata[key]);
        items.push({
          key: name,
          source: 'service',
          vaultPath: `${mount}/${base}/${leaf}`,
          version: record?.version ?? secret.version,
          updatedAt: record?.at ?? secret.createdTime,
          updatedBy: record?.by,
          generated: rotatable(name),
          ...(ownKeys.has(name) ? { overridden: true } : {}),
        });
      }
    }
    for (const key of ownKeys) {
      const record = parseKeyRecord(metadata?.customMetadata[key]);
      items.push({
        key,
        source: 'environment',
        vaultPath: `${mount}/${path}`,
        version: record?.version ?? own!.version,
        updatedAt: record?.at ?? own!.createdTime,
        updatedBy: record?.by,
        generated: rotatable(key),
      });
    }
    items.sort(
      (a, b) => a.key.localeCompare(b.key) || a.source.localeCompare(b.source),
    );
    return {
      environment,
      vaultPath: `${mount}/${path}`,
      version: own?.version,
      items,
    };
  }

  /** The generated keys the environment's pods get (service-wide or its own): what a rotation renews by default. */
  async generatedKeys(entity: Entity, environment: string): Promise<string[]> {
    const { items } = await this.list(entity, environment);
    return [
      ...new Set(items.filter(item => item.generated).map(item => item.key)),
    ];
  }

  /** What `change` would write, without writing; a 400 when it changes nothing. */
  async plan(
    entity: Entity,
    environment: string,
    change: SecretChange,
  ): Promise<SecretPlan> {
    const { mount, path } = this.locate(entity, environment);
    const kv = this.vault.kv2(mount);
    const metadata = await kv.readMetadata(path);
    const currentVersion = metadata?.currentVersion ?? 0;
    const current = currentVersion
      ? (await kv.readVersion(path))?.data ?? {}
      : {};
    let next: SecretData;
    let login: DatabaseLoginRotation | undefined;
    switch (change.type) {
      case 'set':
        next = dataAfterSet(current, change);
        break;
      case 'rotate': {
        const database = change.keys.includes(DATABASE_PASSWORD_KEY);
        next = dataAfterRotate(
          current,
          change.keys.filter(key => key !== DATABASE_PASSWORD_KEY),
        );
        if (database) {
          login = nextDatabaseLogin(
            await this.databaseLeaf(mount, path, environment),
            current,
            environment,
          );
          Object.assign(next, login.data);
        }
        break;
      }
      case 'restore':
        next = await this.versionData(mount, path, change.toVersion, metadata);
        break;
      default:
        throw new Error(`Unknown secret change ${(change as any).type}`);
    }
    const changes = changedKeys(current, next);
    if (!changes.length) {
      throw new InputError(
        change.type === 'restore'
          ? `toVersion: version ${change.toVersion} holds what version ${currentVersion} holds; nothing to roll back`
          : 'set: the keys already have these values; nothing changes',
      );
    }
    return {
      mount,
      path,
      currentVersion,
      next,
      changes,
      customMetadata: metadata?.customMetadata ?? {},
      login,
    };
  }

  /** Writes the change as a new version (check-and-set on the version planned from) and records who changed which keys. */
  async write(
    entity: Entity,
    environment: string,
    change: SecretChange,
    actor: string,
  ): Promise<DeploymentSecretChange> {
    const plan = await this.plan(entity, environment, change);
    const kv = this.vault.kv2(plan.mount);
    let retireLogin: string | undefined;
    let note: string | undefined;
    if (plan.login) {
      // The new login works before any pod is told about it; the old one until the restart succeeded.
      const { newRole, password, ownerRole, oldRole } = plan.login;
      if (!this.options.logins) {
        throw new ConflictError(
          'keys: DATABASE_PASSWORD is not rotated here: the portal has no paved.platform.postgres.url to manage database logins with',
        );
      }
      await this.options.logins.enable(newRole, password, ownerRole);
      const usedBy = (await this.loginsInUse(entity, environment)).get(oldRole);
      if (usedBy?.length) {
        note = `the old database login ${oldRole} keeps working: ${usedBy.join(
          ', ',
        )} ${usedBy.length === 1 ? 'uses' : 'use'} it`;
      } else {
        retireLogin = oldRole;
      }
    }
    const { version } = await kv.writeVersion(plan.path, plan.next, {
      cas: plan.currentVersion,
    });
    await kv.writeCustomMetadata(
      plan.path,
      customMetadataAfter(plan.customMetadata, plan.changes, {
        version,
        at: this.now().toISOString(),
        by: actor,
      }),
    );
    return {
      version,
      ...(plan.currentVersion ? { previousVersion: plan.currentVersion } : {}),
      changes: plan.changes,
      ...(retireLogin ? { retireLogin } : {}),
      ...(note ? { note } : {}),
    };
  }

  /**
   * The database login the environment's pods use: its own DATABASE_USERNAME
   * and DATABASE_PASSWORD (a rotation writes them), else the service-wide
   * `database` leaf's; host, port and database from the leaf. A 404 when the
   * service has no database.
   */
  async databaseLogin(
    entity: Entity,
    environment: string,
  ): Promise<{
    host: string;
    port: number;
    database: string;
    username: string;
    password: string;
    vaultPath: string;
  }> {
    const { mount, base, path } = this.locate(entity, environment);
    const kv = this.vault.kv2(mount);
    const [leaf, own] = await Promise.all([
      kv.readVersion(`${base}/database`),
      kv.readVersion(path),
    ]);
    const { host, port, database, username, password } = leaf?.data ?? {};
    if (!leaf || !host || !port || !database || !username || !password) {
      throw new NotFoundError(
        `${stringifyEntityRef(
          entity,
        )} has no database (${mount}/${base}/database holds no login); the Provision Database template adds one (paved db create)`,
      );
    }
    const ownLogin =
      own?.data.DATABASE_USERNAME && own.data[DATABASE_PASSWORD_KEY]
        ? {
            username: own.data.DATABASE_USERNAME,
            password: own.data[DATABASE_PASSWORD_KEY],
          }
        : undefined;
    return {
      host,
      port: Number(port),
      database,
      username: ownLogin?.username ?? username,
      password: ownLogin?.password ?? password,
      vaultPath: ownLogin ? `${mount}/${path}` : `${mount}/${base}/database`,
    };
  }

  /** The service-wide `database` leaf (OpenTofu's postgres-database module writes it). */
  private async databaseLeaf(
    mount: string,
    ownPath: string,
    environment: string,
  ): Promise<SecretData> {
    const base = ownPath.slice(0, -`/env/${environment}`.length);
    const leaf = await this.vault.kv2(mount).readVersion(`${base}/database`);
    if (!leaf) {
      throw new ConflictError(
        `keys: the service has no database (${mount}/${base}/database), so there is no DATABASE_PASSWORD to rotate`,
      );
    }
    return leaf.data;
  }

  /** The database logins the other environments use (their own DATABASE_USERNAME, else the service-wide one), and by which. */
  private async loginsInUse(
    entity: Entity,
    environment: string,
  ): Promise<Map<string, string[]>> {
    const { mount, base } = this.locate(entity, environment);
    const kv = this.vault.kv2(mount);
    const shared = (await kv.readVersion(`${base}/database`))?.data.username;
    const others = (this.options.environments ?? []).filter(
      name => name !== environment,
    );
    const used = new Map<string, string[]>();
    for (const name of others) {
      const user =
        (await kv.readVersion(this.locate(entity, name).path))?.data
          .DATABASE_USERNAME ?? shared;
      if (user) used.set(user, [...(used.get(user) ?? []), name]);
    }
    return used;
  }

  /** The data of an earlier version; version 0 is "no keys of its own". */
  private async versionData(
    mount: string,
    path: string,
    version: number,
    metadata: { currentVersion: number; oldestVersion: number } | undefined,
  ): Promise<SecretData> {
    if (version === 0) return {};
    const found = await this.vault.kv2(mount).readVersion(path, version);
    if (!found) {
      throw new NotFoundError(
        `toVersion: ${mount}/${path} has no version ${version} to roll back to (${
          metadata?.currentVersion
            ? `it keeps versions ${metadata.oldestVersion || 1} to ${
                metadata.currentVersion
              }, unless deleted`
            : 'it has no versions yet'
        })`,
      );
    }
    return found.data;
  }
}

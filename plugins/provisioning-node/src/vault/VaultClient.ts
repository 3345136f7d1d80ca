import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { Config } from '@backstage/config';
import {
  CreatedToken,
  Kv2Engine,
  KvEngine,
  KvMetadata,
  SecretData,
} from './types';

/**
 * Paved's client of the Vault HTTP API: KV v1 and v2, ACL policies, tokens and
 * AppRole. It talks HTTP only, so it works the same against the local dev
 * server and a company's Vault. It never logs, and its errors carry paths,
 * never secret values.
 */
export class VaultClient {
  readonly address: string;
  private readonly token: string;

  /** The Vault at `paved.platform.vault`, acting with the portal's token. */
  static fromConfig(config: Config): VaultClient {
    return new VaultClient({
      address: config.getString('paved.platform.vault.address'),
      token: config.getString('paved.platform.vault.token'),
    });
  }

  constructor(options: { address: string; token: string }) {
    this.address = options.address.replace(/\/+$/, '');
    this.token = options.token;
  }

  /** The same server, acting with another token. */
  withToken(token: string): VaultClient {
    return new VaultClient({ address: this.address, token });
  }

  kv(mount: string, version: 1 | 2): KvEngine {
    return version === 2 ? this.kv2Basic(mount) : this.kv1(mount);
  }

  async writePolicy(name: string, policy: string): Promise<void> {
    await this.request('PUT', `sys/policies/acl/${name}`, { policy });
  }

  async readPolicy(name: string): Promise<string | undefined> {
    const body = await this.request(
      'GET',
      `sys/policies/acl/${name}`,
      undefined,
      { allowMissing: true },
    );
    return body?.data?.policy;
  }

  async deletePolicy(name: string): Promise<void> {
    await this.request('DELETE', `sys/policies/acl/${name}`);
  }

  async createToken(options: {
    policies: string[];
    ttl?: string;
    noDefaultPolicy?: boolean;
  }): Promise<CreatedToken> {
    const body = await this.request('POST', 'auth/token/create', {
      policies: options.policies,
      ttl: options.ttl ?? '1h',
      no_default_policy: options.noDefaultPolicy ?? false,
    });
    return {
      token: body.auth.client_token,
      accessor: body.auth.accessor,
      policies: body.auth.policies,
    };
  }

  /** Creates or updates an AppRole whose logins carry `policies`. */
  async writeAppRole(
    role: string,
    options: { policies: string[]; tokenTtl?: string; mount?: string },
  ): Promise<void> {
    await this.request(
      'POST',
      `auth/${options.mount ?? 'approle'}/role/${role}`,
      {
        token_policies: options.policies,
        token_ttl: options.tokenTtl ?? '1h',
      },
    );
  }

  /** The role id and a new secret id: what a service needs to log in. */
  async appRoleCredentials(
    role: string,
    mount = 'approle',
  ): Promise<{ roleId: string; secretId: string }> {
    const roleId = await this.request(
      'GET',
      `auth/${mount}/role/${role}/role-id`,
    );
    const secretId = await this.request(
      'POST',
      `auth/${mount}/role/${role}/secret-id`,
      {},
    );
    return { roleId: roleId.data.role_id, secretId: secretId.data.secret_id };
  }

  async deleteAppRole(role: string, mount = 'approle'): Promise<void> {
    await this.request('DELETE', `auth/${mount}/role/${role}`);
  }

  /** Logs in with AppRole credentials; the client acts with the token it gets. */
  async loginWithAppRole(credentials: {
    roleId: string;
    secretId: string;
    mount?: string;
  }): Promise<VaultClient> {
    const body = await this.request(
      'POST',
      `auth/${credentials.mount ?? 'approle'}/login`,
      {
        role_id: credentials.roleId,
        secret_id: credentials.secretId,
      },
    );
    return this.withToken(body.auth.client_token);
  }

  /** A KV version 2 mount, with versions, check-and-set and metadata. */
  kv2(mount: string): Kv2Engine {
    const readMetadata = async (
      path: string,
    ): Promise<KvMetadata | undefined> => {
      const body = await this.request(
        'GET',
        `${mount}/metadata/${path}`,
        undefined,
        { allowMissing: true },
      );
      const data = body?.data;
      if (!data) return undefined;
      const versions: KvMetadata['versions'] = {};
      for (const [version, meta] of Object.entries(
        (data.versions ?? {}) as Record<string, any>,
      )) {
        versions[Number(version)] = {
          createdTime: meta.created_time,
          deleted: Boolean(meta.deletion_time),
          destroyed: Boolean(meta.destroyed),
        };
      }
      return {
        currentVersion: data.current_version ?? 0,
        oldestVersion: data.oldest_version ?? 0,
        versions,
        customMetadata: data.custom_metadata ?? {},
      };
    };
    return {
      ...this.kv2Basic(mount),
      readVersion: async (path, version) => {
        const query = version === undefined ? '' : `?version=${version}`;
        const body = await this.request(
          'GET',
          `${mount}/data/${path}${query}`,
          undefined,
          { allowMissing: true },
        );
        if (!body?.data?.data) return undefined;
        return {
          data: body.data.data,
          version: body.data.metadata?.version,
          createdTime: body.data.metadata?.created_time,
        };
      },
      writeVersion: async (path, data, options) => {
        try {
          const body = await this.request('POST', `${mount}/data/${path}`, {
            data,
            ...(options?.cas === undefined
              ? {}
              : { options: { cas: options.cas } }),
          });
          return { version: body.data.version };
        } catch (error) {
          // Vault answers a check-and-set mismatch with a 400: told apart by the version now there.
          if (
            (error as Error)?.name === 'InputError' &&
            options?.cas !== undefined
          ) {
            const now = (await readMetadata(path))?.currentVersion ?? 0;
            if (now !== options.cas) {
              throw new ConflictError(
                `${mount}/${path} changed meanwhile (version ${now}, expected ${options.cas}); read it again and retry`,
              );
            }
          }
          throw error;
        }
      },
      readMetadata,
      writeCustomMetadata: async (path, customMetadata) => {
        await this.request('POST', `${mount}/metadata/${path}`, {
          custom_metadata: customMetadata,
        });
      },
    };
  }

  private kv2Basic(mount: string): KvEngine {
    return {
      read: async path => {
        const body = await this.request(
          'GET',
          `${mount}/data/${path}`,
          undefined,
          { allowMissing: true },
        );
        if (!body?.data?.data) return undefined;
        return { data: body.data.data, version: body.data.metadata?.version };
      },
      write: async (path, data) => {
        const body = await this.request('POST', `${mount}/data/${path}`, {
          data,
        });
        return { version: body.data.version };
      },
      list: async path => this.list(`${mount}/metadata/${path}`),
      delete: async path => {
        await this.request('DELETE', `${mount}/metadata/${path}`);
      },
    };
  }

  private kv1(mount: string): KvEngine {
    return {
      read: async path => {
        const body = await this.request('GET', `${mount}/${path}`, undefined, {
          allowMissing: true,
        });
        return body ? { data: body.data as SecretData } : undefined;
      },
      write: async (path, data) => {
        await this.request('POST', `${mount}/${path}`, data);
        return {};
      },
      list: async path => this.list(`${mount}/${path}`),
      delete: async path => {
        await this.request('DELETE', `${mount}/${path}`);
      },
    };
  }

  private async list(apiPath: string): Promise<string[]> {
    const body = await this.request('LIST', apiPath, undefined, {
      allowMissing: true,
    });
    return body?.data?.keys ?? [];
  }

  private async request(
    method: string,
    apiPath: string,
    payload?: unknown,
    options?: { allowMissing?: boolean },
  ): Promise<any> {
    const url = `${this.address}/v1/${apiPath}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          'X-Vault-Token': this.token,
          'content-type': 'application/json',
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `Vault at ${this.address} is unreachable (${
          (error as Error).cause ?? (error as Error).message
        }); check paved.platform.vault.address and that Vault runs.`,
      );
    }
    if (response.status === 204) return undefined;
    const text = await response.text();
    const body = text ? JSON.parse(text) : undefined;
    if (response.ok) return body;
    const reason = (body?.errors ?? []).join('; ') || `HTTP ${response.status}`;
    const where = `${method} ${apiPath}`;
    switch (response.status) {
      case 404:
        if (options?.allowMissing) return undefined;
        throw new NotFoundError(`Vault has nothing at ${where}: ${reason}`);
      case 400:
        throw new InputError(`Vault refused ${where}: ${reason}`);
      case 403:
        throw new NotAllowedError(
          `Vault denied ${where}: the token's policies do not allow it (${reason})`,
        );
      case 503:
        throw new ServiceUnavailableError(
          `Vault is sealed or not ready: ${reason}`,
        );
      default:
        throw new Error(
          `Vault ${where} failed with HTTP ${response.status}: ${reason}`,
        );
    }
  }
}

import { NotAllowedError, ServiceUnavailableError } from '@backstage/errors';
import { createPlatformSandbox, PlatformSandbox } from '../testUtils';
import { VaultClient } from './VaultClient';

// Against the local platform's real Vault (npm test brings it up).
describe('VaultClient', () => {
  let sandbox: PlatformSandbox;
  let vault: VaultClient;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    vault = new VaultClient(sandbox.platform.vault);
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await sandbox?.cleanup();
  });

  it('writes, versions, lists, reads and deletes KV v2 secrets', async () => {
    const kv = vault.kv('secret', 2);
    const path = `${sandbox.vaultPath}/orders/db`;
    expect(await kv.read(path)).toBeUndefined();
    expect(
      await kv.write(path, { username: 'orders', password: 'one' }),
    ).toEqual({ version: 1 });
    expect(
      await kv.write(path, { username: 'orders', password: 'two' }),
    ).toEqual({ version: 2 });
    expect(await kv.read(path)).toEqual({
      data: { username: 'orders', password: 'two' },
      version: 2,
    });
    expect(await kv.list(sandbox.vaultPath)).toEqual(['orders/']);
    expect(await kv.list(`${sandbox.vaultPath}/orders`)).toEqual(['db']);
    await kv.delete(path);
    expect(await kv.read(path)).toBeUndefined();
    expect(await kv.list(`${sandbox.vaultPath}/orders`)).toEqual([]);
  });

  it('reads KV v2 versions and metadata, writes with check-and-set and custom metadata', async () => {
    const kv = vault.kv2('secret');
    const path = `${sandbox.vaultPath}/orders/env/staging`;
    expect(await kv.readMetadata(path)).toBeUndefined();
    expect(await kv.writeVersion(path, { A: 'one' }, { cas: 0 })).toEqual({
      version: 1,
    });
    // Written meanwhile by someone else: a ConflictError, nothing written.
    await expect(
      kv.writeVersion(path, { A: 'other' }, { cas: 0 }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(await kv.writeVersion(path, { A: 'two' }, { cas: 1 })).toEqual({
      version: 2,
    });
    expect(await kv.readVersion(path, 1)).toMatchObject({
      data: { A: 'one' },
      version: 1,
      createdTime: expect.stringMatching(/^\d{4}-/),
    });
    expect(await kv.readVersion(path)).toMatchObject({
      data: { A: 'two' },
      version: 2,
    });
    expect(await kv.readVersion(path, 9)).toBeUndefined();
    await kv.writeCustomMetadata(path, { A: 'v=2;at=now;by=me' });
    expect(await kv.readMetadata(path)).toMatchObject({
      currentVersion: 2,
      versions: {
        1: { deleted: false, destroyed: false },
        2: { deleted: false, destroyed: false },
      },
      customMetadata: { A: 'v=2;at=now;by=me' },
    });
    // Custom metadata is replaced, not merged; the versions stay.
    await kv.writeCustomMetadata(path, {});
    expect(await kv.readMetadata(path)).toMatchObject({
      currentVersion: 2,
      customMetadata: {},
    });
  });

  it('writes, reads, lists and deletes KV v1 secrets', async () => {
    const kv = vault.kv('kv1', 1);
    const path = `${sandbox.vaultPath}/cart/api`;
    cleanups.push(() => kv.delete(path));
    expect(await kv.write(path, { key: 'abc' })).toEqual({});
    expect(await kv.read(path)).toEqual({ data: { key: 'abc' } });
    expect(await kv.list(`${sandbox.vaultPath}/cart`)).toEqual(['api']);
    await kv.delete(path);
    expect(await kv.read(path)).toBeUndefined();
  });

  it("limits a token to its policy's paths", async () => {
    const policy = `paved-test-${sandbox.id}`;
    cleanups.push(() => vault.deletePolicy(policy));
    await vault.writePolicy(
      policy,
      `path "secret/data/${sandbox.vaultPath}/orders/*" { capabilities = ["read"] }`,
    );
    expect(await vault.readPolicy(policy)).toContain(
      `${sandbox.vaultPath}/orders/*`,
    );
    await vault
      .kv('secret', 2)
      .write(`${sandbox.vaultPath}/orders/db`, { password: 'p' });
    await vault
      .kv('secret', 2)
      .write(`${sandbox.vaultPath}/cart/db`, { password: 'q' });

    const { token, policies } = await vault.createToken({
      policies: [policy],
      ttl: '5m',
    });
    expect(policies).toEqual(expect.arrayContaining([policy]));
    const reader = vault.withToken(token).kv('secret', 2);
    expect((await reader.read(`${sandbox.vaultPath}/orders/db`))?.data).toEqual(
      { password: 'p' },
    );
    const denied = reader.read(`${sandbox.vaultPath}/cart/db`);
    await expect(denied).rejects.toThrow(NotAllowedError);
    await expect(denied).rejects.toThrow(
      /Vault denied GET secret\/data\/.*\/cart\/db/,
    );
    await expect(
      reader.write(`${sandbox.vaultPath}/orders/db`, { password: 'x' }),
    ).rejects.toThrow(NotAllowedError);
  });

  it("logs a service in with AppRole, carrying the role's policies", async () => {
    const policy = `paved-approle-${sandbox.id}`;
    const role = `svc-${sandbox.id}`;
    cleanups.push(
      () => vault.deleteAppRole(role),
      () => vault.deletePolicy(policy),
    );
    await vault.writePolicy(
      policy,
      `path "secret/data/${sandbox.vaultPath}/svc/*" { capabilities = ["read"] }`,
    );
    await vault.writeAppRole(role, { policies: [policy], tokenTtl: '5m' });
    await vault
      .kv('secret', 2)
      .write(`${sandbox.vaultPath}/svc/config`, { level: 'info' });

    const credentials = await vault.appRoleCredentials(role);
    const service = await vault.loginWithAppRole(credentials);
    expect(
      (await service.kv('secret', 2).read(`${sandbox.vaultPath}/svc/config`))
        ?.data,
    ).toEqual({
      level: 'info',
    });
    await expect(
      vault.loginWithAppRole({
        roleId: credentials.roleId,
        secretId: 'not-the-secret',
      }),
    ).rejects.toThrow(/Vault refused POST auth\/approle\/login/);
  });

  it('says which Vault is unreachable', async () => {
    const nowhere = new VaultClient({
      address: 'http://127.0.0.1:1',
      token: 'x',
    });
    await expect(nowhere.kv('secret', 2).read('a')).rejects.toThrow(
      ServiceUnavailableError,
    );
    await expect(nowhere.kv('secret', 2).read('a')).rejects.toThrow(
      /Vault at http:\/\/127\.0\.0\.1:1 is unreachable/,
    );
  });
});

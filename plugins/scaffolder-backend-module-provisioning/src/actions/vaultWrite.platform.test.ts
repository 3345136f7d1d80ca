import {
  createPlatformSandbox,
  PlatformSandbox,
} from '@paved/plugin-provisioning-node/testUtils';
import { VaultClient } from '@paved/plugin-provisioning-node';
import { contextWithLog, outputOf } from '../__testUtils__/context';
import { createVaultWriteAction } from './vaultWrite';

// Against the local platform's real Vault (npm test brings it up).
describe('paved:vault:write', () => {
  let sandbox: PlatformSandbox;
  let vault: VaultClient;
  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    vault = new VaultClient(sandbox.platform.vault);
  });
  afterAll(async () => {
    await vault?.deletePolicy(`${sandbox.id}-read`).catch(() => undefined);
    await sandbox?.cleanup();
  });

  const input = () => ({
    path: `${sandbox.vaultPath}/app`,
    generate: { SESSION_SECRET: { length: 40 } },
    values: { CLIENT_ID: 'orders-api' },
    readPolicy: { name: `${sandbox.id}-read`, path: sandbox.vaultPath },
  });

  it('writes nothing in a dry run, and says what it would do', async () => {
    const { ctx, log } = contextWithLog(input(), { isDryRun: true });
    await createVaultWriteAction({ vault }).handler(ctx);
    expect(log.join('\n')).toContain('generate SESSION_SECRET');
    expect(log.join('\n')).toContain(`would write policy ${sandbox.id}-read`);
    await expect(
      vault.kv('secret', 2).read(`${sandbox.vaultPath}/app`),
    ).resolves.toBeUndefined();
    await expect(
      vault.readPolicy(`${sandbox.id}-read`),
    ).resolves.toBeUndefined();
  });

  it('generates credentials and a read policy, keeps them on re-run, and never logs a value', async () => {
    const first = contextWithLog(input());
    await createVaultWriteAction({ vault }).handler(first.ctx);
    const stored = await vault.kv('secret', 2).read(`${sandbox.vaultPath}/app`);
    expect(stored?.data.SESSION_SECRET).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(stored?.data.CLIENT_ID).toBe('orders-api');
    expect(outputOf(first.output, 'path')).toBe(
      `secret/${sandbox.vaultPath}/app`,
    );
    expect(first.log.join('\n')).not.toContain(stored!.data.SESSION_SECRET);

    const again = contextWithLog(input());
    await createVaultWriteAction({ vault }).handler(again.ctx);
    const after = await vault.kv('secret', 2).read(`${sandbox.vaultPath}/app`);
    expect(after).toEqual(stored);
    expect(again.log.join('\n')).toContain('is up to date');

    // The policy reads this service's secrets and nothing beside them.
    const reader = await vault.createToken({
      policies: [`${sandbox.id}-read`],
      ttl: '5m',
    });
    const asService = vault.withToken(reader.token).kv('secret', 2);
    await expect(asService.read(`${sandbox.vaultPath}/app`)).resolves.toEqual(
      stored,
    );
    await vault
      .kv('secret', 2)
      .write(`tests/${sandbox.id}-other/x`, { a: 'b' });
    await expect(asService.read(`tests/${sandbox.id}-other/x`)).rejects.toThrow(
      /permission|403|not allowed/i,
    );
    await vault.kv('secret', 2).delete(`tests/${sandbox.id}-other/x`);
  });

  it('declares its input rules, so the scaffolder refuses a bad path before running', () => {
    const schema = createVaultWriteAction({ vault }).schema?.input as {
      properties: { path: { pattern: string } };
      required: string[];
    };
    expect(schema.required).toEqual(['path']);
    expect(new RegExp(schema.properties.path.pattern).test('../etc')).toBe(
      false,
    );
    expect(
      new RegExp(schema.properties.path.pattern).test(
        'services/orders-api/app',
      ),
    ).toBe(true);
  });
});

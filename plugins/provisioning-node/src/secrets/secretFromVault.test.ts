import { parseVaultPath } from './secretFromVault';

describe('parseVaultPath', () => {
  it('splits a paved.dev/vault-path annotation into mount and path', () => {
    expect(parseVaultPath('secret/services/orders-api')).toEqual({
      mount: 'secret',
      path: 'services/orders-api',
    });
    expect(parseVaultPath('secret/services/orders-api/')).toEqual({
      mount: 'secret',
      path: 'services/orders-api',
    });
    expect(parseVaultPath('secret')).toBeUndefined();
  });
});

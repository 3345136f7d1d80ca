import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DeploymentAuditEvent } from '@paved/plugin-deployments-common';
import {
  testCatalog,
  testCredentials,
  testPermissions,
} from '@paved/plugin-provisioning-node/testDoubles';
import { DefaultDeploymentAuditWriter } from '../DeploymentService';
import { DefaultDatabaseConnectionService } from './DefaultDatabaseConnectionService';

const PASSWORD = 'pw-0123456789abcdef';

const orders = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default' },
  spec: { owner: 'group:default/storefront-team' },
};

function setup(
  options: {
    decision?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    address?: { host?: string; port?: number };
  } = {},
) {
  const events: DeploymentAuditEvent[] = [];
  const databaseLogin = jest.fn(async () => ({
    host: '10.89.0.1',
    port: 5432,
    database: 'orders',
    username: 'orders_owner',
    password: PASSWORD,
    vaultPath: 'secret/services/orders/database',
  }));
  const service = new DefaultDatabaseConnectionService({
    environments: [
      { name: 'staging', cluster: 'local' },
      { name: 'production', cluster: 'local' },
    ] as any,
    catalog: testCatalog([orders]),
    permissions: testPermissions(options.decision),
    audit: new DefaultDeploymentAuditWriter({
      store: { addAuditEvent: async event => void events.push(event) },
    }),
    logins: { databaseLogin },
    address: options.address,
  });
  const caller = (user = 'user:default/alice') => ({
    credentials: testCredentials.user(user),
    userEntityRef: user,
    userAgent: 'paved-cli/0.1.0',
  });
  return { service, events, databaseLogin, caller };
}

describe('DefaultDatabaseConnectionService', () => {
  it("hands the environment's login over and audits who fetched it, never the password", async () => {
    const { service, events, caller } = setup();
    const connection = await service.connect(
      'component:default/orders',
      'staging',
      caller(),
    );
    expect(connection).toEqual({
      environment: 'staging',
      host: '10.89.0.1',
      port: 5432,
      database: 'orders',
      username: 'orders_owner',
      password: PASSWORD,
      vaultPath: 'secret/services/orders/database',
    });
    expect(events).toEqual([
      expect.objectContaining({
        actor: 'user:default/alice',
        action: 'database-connect',
        entityRef: 'component:default/orders',
        environment: 'staging',
        result: 'succeeded',
        message:
          'Database login requested by user:default/alice (paved-cli/0.1.0)',
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('tells callers the configured address instead of the one the pods use', async () => {
    const { service, caller } = setup({
      address: { host: '127.0.0.1', port: 15432 },
    });
    expect(
      await service.connect('orders', 'production', caller()),
    ).toMatchObject({
      host: '127.0.0.1',
      port: 15432,
      username: 'orders_owner',
    });
  });

  it('refuses without paved.database.connect, and audits the refusal', async () => {
    const { service, events, databaseLogin, caller } = setup({
      decision: AuthorizeResult.DENY,
    });
    await expect(
      service.connect('orders', 'staging', caller('user:default/mallory')),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Not allowed: paved.database.connect on component:default/orders',
    });
    expect(databaseLogin).not.toHaveBeenCalled();
    expect(events).toEqual([
      expect.objectContaining({
        actor: 'user:default/mallory',
        action: 'database-connect',
        result: 'failed',
      }),
    ]);
  });

  it('says which input is wrong before reading anything', async () => {
    const { service, databaseLogin, caller } = setup();
    await expect(
      service.connect('orders', 'qa', caller()),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^environment: unknown environment "qa"/),
    });
    await expect(
      service.connect('nope', 'staging', caller()),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      service.connect('orders', 'staging', {
        credentials: testCredentials.service(),
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(databaseLogin).not.toHaveBeenCalled();
  });
});

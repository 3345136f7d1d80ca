import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  deploymentApprovePermission,
  deploymentCreatePermission,
  deploymentPromotePermission,
  deploymentRollbackPermission,
  databaseConnectPermission,
  secretReadPermission,
  secretRotatePermission,
  secretWritePermission,
} from '@paved/plugin-deployments-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import permissionModulePavedPolicy, { PavedPermissionPolicy } from '.';

// The policy in the real permission backend, with the real catalog deciding
// ownership of the entity the check names.

const groupsOf: Record<string, string[]> = {
  'user:default/hannah': ['group:default/storefront-team'],
  'user:default/priya': ['group:default/platform-team'],
  'user:default/aisha': ['group:default/payments-team'],
};

const catalogYaml = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: orders }
spec: { type: service, lifecycle: production, owner: storefront-team }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: storefront-team }
spec: { type: team, children: [] }
`;

// A whole test backend (permission, catalog, auth): more than Jest's 5 s on a busy machine.
jest.setTimeout(60_000);

describe('Paved permission policy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paved-policy-'));
    await writeFile(path.join(dir, 'catalog.yaml'), catalogYaml);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const user = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: user,
        ownershipEntityRefs: [user, ...(groupsOf[user] ?? [])],
      };
    },
  });

  it('gives deployment and secret permissions to the owners and the platform team, everything else to all', async () => {
    const backend = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModulePavedPolicy,
        catalogPlugin,
        userInfo.factory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Component', 'Group'] }],
              locations: [
                { type: 'file', target: path.join(dir, 'catalog.yaml') },
              ],
            },
          },
        }),
      ],
    });
    const base = `http://localhost:${backend.server.port()}/api`;
    try {
      // The catalog has processed the component, with its ownedBy relation.
      for (let attempt = 0; ; attempt++) {
        const response = await fetch(
          `${base}/catalog/entities/by-name/component/default/orders`,
          { headers: { Authorization: mockCredentials.service.header() } },
        );
        const entity = response.ok ? await response.json() : undefined;
        if (entity?.relations?.some((r: any) => r.type === 'ownedBy')) break;
        if (attempt > 100)
          throw new Error('the catalog never processed orders');
        await new Promise(resolve => setTimeout(resolve, 200));
      }

      const authorize = async (
        authorization: string,
        permission: Permission,
        resourceRef?: string,
      ) => {
        const response = await fetch(`${base}/permission/authorize`, {
          method: 'POST',
          headers: {
            Authorization: authorization,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            items: [{ id: '1', permission, resourceRef }],
          }),
        });
        if (response.status !== 200) throw new Error(await response.text());
        return (await response.json()).items[0];
      };
      // For a conditional decision on an entity the permission backend asks
      // the catalog to apply the conditions, on behalf of the user. Mock
      // credentials carry no actor, which the catalog requires of such a
      // call, so here the policy decides and the catalog applies its
      // conditions, called as a service.
      const policy = new PavedPermissionPolicy(userInfo);
      const applyConditions = async (decision: any, resourceRef: string) => {
        const response = await fetch(
          `${base}/catalog/.well-known/backstage/permissions/apply-conditions`,
          {
            method: 'POST',
            headers: {
              Authorization: mockCredentials.service.header(),
              'Content-Type': 'application/json',
            },
            body: JSON.stringify({
              items: [
                {
                  id: '1',
                  resourceRef,
                  resourceType: decision.resourceType,
                  conditions: decision.conditions,
                },
              ],
            }),
          },
        );
        if (response.status !== 200) throw new Error(await response.text());
        return (await response.json()).items[0].result;
      };
      const decide = async (user: string, permission: Permission) => {
        const decision: any = await policy.handle(
          { permission },
          { credentials: mockCredentials.user(user), info: {} as any },
        );
        return decision.result === AuthorizeResult.CONDITIONAL
          ? applyConditions(decision, 'component:default/orders')
          : decision.result;
      };

      for (const permission of [
        deploymentCreatePermission,
        deploymentPromotePermission,
        deploymentApprovePermission,
        deploymentRollbackPermission,
        secretReadPermission,
        secretWritePermission,
        secretRotatePermission,
        databaseConnectPermission,
      ]) {
        // A member of the owning group, the platform team, someone else.
        expect(await decide('user:default/hannah', permission)).toBe(
          AuthorizeResult.ALLOW,
        );
        expect(await decide('user:default/priya', permission)).toBe(
          AuthorizeResult.ALLOW,
        );
        expect(await decide('user:default/aisha', permission)).toBe(
          AuthorizeResult.DENY,
        );
      }
      // Through the permission backend: the module installed the policy.
      const orders = 'component:default/orders';
      expect(
        await authorize(
          mockCredentials.user.header('user:default/priya'),
          deploymentCreatePermission,
          orders,
        ),
      ).toMatchObject({ result: AuthorizeResult.ALLOW });
      // Not a person: no deployments.
      expect(
        await policy.handle({ permission: deploymentCreatePermission }),
      ).toEqual({ result: AuthorizeResult.DENY });
      // What Backstage itself guards stays open.
      expect(
        await authorize(mockCredentials.user.header('user:default/aisha'), {
          type: 'basic',
          name: 'catalog.location.create',
          attributes: { action: 'create' },
        }),
      ).toMatchObject({ result: AuthorizeResult.ALLOW });
    } finally {
      await backend.stop();
    }
  });
});

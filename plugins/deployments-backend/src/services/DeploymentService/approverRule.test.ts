import { Entity } from '@backstage/catalog-model';
import { ApprovalRequest } from '@paved/plugin-deployments-common';
import { testCredentials } from '@paved/plugin-provisioning-node/testDoubles';
import {
  MembershipSource,
  OwnerOrPlatformTeamApproverRule,
  ownersOf,
} from './approverRule';

// Who may decide a promotion waiting for approval, without a catalog: the
// memberships are given. (The whole flow: plugin.platform.test.ts.)

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-api', namespace: 'default' },
  spec: { owner: 'storefront-team' },
};

const approval = (
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest => ({
  id: 'a-1',
  entityRef: 'component:default/orders-api',
  fromEnvironment: 'staging',
  toEnvironment: 'production',
  image: 'registry.paved.local/orders-api:1',
  requestedBy: 'user:default/hannah',
  status: 'pending',
  createdAt: '2026-03-01T12:00:00.000Z',
  ...overrides,
});

const memberships: Record<string, string[]> = {
  'user:default/hannah': ['group:default/storefront-team'],
  'user:default/omar': ['group:default/storefront-team'],
  'user:default/priya': ['group:default/platform-team'],
  'user:default/zoe': ['group:default/payments-team'],
};
const membership: MembershipSource = {
  groupsOf: async user => memberships[user] ?? [],
};
const rule = new OwnerOrPlatformTeamApproverRule({
  membership,
  platformTeam: 'group:default/platform-team',
});
const check = (user: string, request = approval()) =>
  rule.check({
    user,
    approval: request,
    entity,
    credentials: testCredentials.user(user),
  });

describe('OwnerOrPlatformTeamApproverRule', () => {
  it('lets another member of the owning group decide', async () => {
    await expect(check('user:default/omar')).resolves.toBeUndefined();
  });

  it('lets a member of the platform team decide', async () => {
    await expect(check('user:default/priya')).resolves.toBeUndefined();
  });

  it('never lets the requester decide, even as an owner', async () => {
    await expect(check('user:default/hannah')).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('requested this promotion'),
    });
  });

  it('refuses an outsider, naming who may decide', async () => {
    await expect(check('user:default/zoe')).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'only members of group:default/storefront-team or group:default/platform-team',
      ),
    });
  });

  it('is a 409 once the approval was decided', async () => {
    await expect(
      check(
        'user:default/omar',
        approval({ status: 'approved', decidedBy: 'user:default/priya' }),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'Approval a-1 is already approved by user:default/priya',
    });
  });

  it('takes the platform team from its options', async () => {
    const other = new OwnerOrPlatformTeamApproverRule({
      membership,
      platformTeam: 'group:default/payments-team',
    });
    await expect(
      other.check({
        user: 'user:default/zoe',
        approval: approval(),
        entity,
        credentials: testCredentials.user('user:default/zoe'),
      }),
    ).resolves.toBeUndefined();
  });
});

describe('ownersOf', () => {
  it('reads spec.owner (a group by default) and ownedBy relations, lowercased', () => {
    expect(
      ownersOf({
        ...entity,
        spec: { owner: 'Storefront-Team' },
        relations: [{ type: 'ownedBy', targetRef: 'user:default/Omar' }],
      }),
    ).toEqual(['group:default/storefront-team', 'user:default/omar']);
  });
});

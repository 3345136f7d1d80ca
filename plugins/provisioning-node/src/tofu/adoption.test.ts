import { adoptionCandidates, importIdOf } from './adoption';

describe('importIdOf', () => {
  it('names Kubernetes objects as the provider imports them', () => {
    const meta = (name: string, namespace?: string) => ({
      metadata: [{ name, namespace }],
    });
    expect(importIdOf('kubernetes_namespace_v1', meta('orders-staging'))).toBe(
      'orders-staging',
    );
    expect(
      importIdOf(
        'kubernetes_resource_quota_v1',
        meta('quota', 'orders-staging'),
      ),
    ).toBe('orders-staging/quota');
    expect(importIdOf('kubernetes_config_map_v1', meta('settings'))).toBe(
      'default/settings',
    );
    expect(importIdOf('kubernetes_manifest', meta('x', 'y'))).toBeUndefined();
    expect(
      importIdOf('kubernetes_role_v1', { metadata: [{}] }),
    ).toBeUndefined();
  });

  it('names roles, databases and policies by their name; nothing else', () => {
    expect(importIdOf('postgresql_role', { name: 'orders_owner' })).toBe(
      'orders_owner',
    );
    expect(importIdOf('vault_policy', { name: 'orders-read' })).toBe(
      'orders-read',
    );
    expect(importIdOf('postgresql_database', {})).toBeUndefined();
    expect(importIdOf('random_password', { length: 24 })).toBeUndefined();
    expect(importIdOf('vault_kv_secret_v2', { name: 'x' })).toBeUndefined();
  });
});

describe('adoptionCandidates', () => {
  const change = (
    address: string,
    type: string,
    actions: string[],
    after: unknown,
  ) => ({ address, type, mode: 'managed', change: { actions, after } });

  it('takes what the plan creates and the state lacks, with an import ID', () => {
    const plan = {
      resource_changes: [
        change(
          'kubernetes_namespace_v1.this',
          'kubernetes_namespace_v1',
          ['create'],
          {
            metadata: [{ name: 'orders-staging' }],
          },
        ),
        change('postgresql_role.owner', 'postgresql_role', ['create'], {
          name: 'orders_owner',
        }),
        // tracked already, replaced, unchanged, or without an identity: left alone
        change('postgresql_database.this', 'postgresql_database', ['create'], {
          name: 'orders',
        }),
        change('vault_policy.read', 'vault_policy', ['delete', 'create'], {
          name: 'orders-read',
        }),
        change('vault_policy.other', 'vault_policy', ['no-op'], { name: 'o' }),
        change('random_password.this', 'random_password', ['create'], {}),
      ],
    };
    expect(
      adoptionCandidates(plan, new Set(['postgresql_database.this'])),
    ).toEqual([
      { address: 'kubernetes_namespace_v1.this', id: 'orders-staging' },
      { address: 'postgresql_role.owner', id: 'orders_owner' },
    ]);
    expect(adoptionCandidates({}, new Set())).toEqual([]);
  });
});

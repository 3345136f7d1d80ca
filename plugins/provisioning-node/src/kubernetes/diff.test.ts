import { diffObjects } from './diff';

// What a dry run shows: the fields that would change, Secret values masked.

describe('diffObjects', () => {
  it('lists added, removed and changed fields, leaving out what the apiserver owns', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'orders-api-config',
        resourceVersion: '7',
        uid: 'u-1',
        labels: { tier: 'standard', team: 'storefront' },
      },
      data: { LOG_LEVEL: 'info' },
    };
    const desired = {
      ...live,
      metadata: {
        name: 'orders-api-config',
        resourceVersion: '8',
        labels: { tier: 'critical' },
      },
      data: { LOG_LEVEL: 'debug', FEATURE: 'on' },
      status: { ignored: true },
    };
    expect(diffObjects(live, desired as any)).toEqual([
      '+ data.FEATURE: "on"',
      '~ data.LOG_LEVEL: "info" → "debug"',
      '- metadata.labels.team',
      '~ metadata.labels.tier: "standard" → "critical"',
    ]);
  });

  it('shows a new object in full', () => {
    expect(
      diffObjects(undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'orders-api-staging' },
      }),
    ).toEqual([
      '+ apiVersion: "v1"',
      '+ kind: "Namespace"',
      '+ metadata.name: "orders-api-staging"',
    ]);
  });

  it('never shows the values of a Secret, only which keys change', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'orders-api-secrets' },
      data: { DB_PASSWORD: 'b2xk', API_KEY: 'a2V5' },
    };
    const desired = {
      ...live,
      data: { DB_PASSWORD: 'bmV3', TOKEN: 'dG9r' },
      stringData: { EXTRA: 'plain-text-secret' },
    };
    const lines = diffObjects(live, desired);
    expect(lines).toEqual([
      '- data.API_KEY',
      '~ data.DB_PASSWORD: *** → ***',
      '+ data.TOKEN: ***',
      '+ stringData.EXTRA: ***',
    ]);
    expect(lines.join('\n')).not.toMatch(/b2xk|bmV3|dG9r|plain-text-secret/);
  });
});

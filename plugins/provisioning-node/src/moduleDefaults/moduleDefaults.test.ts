import { ConfigReader } from '@backstage/config';
import { ProvisioningDefaults } from './moduleDefaults';

describe('the module defaults per cluster', () => {
  const defaults = (paved: object) =>
    ProvisioningDefaults.fromConfig(new ConfigReader({ paved }));

  it("gives each cluster's pods their own database address, over the one of every cluster", () => {
    const d = defaults({
      platform: { postgres: { url: 'postgresql://postgres@127.0.0.1:15433' } },
      provisioning: {
        moduleDefaults: {
          'postgres-database': { host: '10.89.0.1', port: 5432 },
          other: { x: 1 },
        },
        clusterModuleDefaults: {
          second: { 'postgres-database': { host: '10.111.0.1' } },
        },
      },
    });
    expect(d.databaseAddress('local')).toEqual({
      host: '10.89.0.1',
      port: 5432,
    });
    expect(d.databaseAddress('second')).toEqual({
      host: '10.111.0.1',
      port: 5432,
    });
    expect(d.databaseAddress()).toEqual({ host: '10.89.0.1', port: 5432 });
    expect(d.forCluster('second')).toEqual({
      'postgres-database': { host: '10.111.0.1', port: 5432 },
      other: { x: 1 },
    });
  });

  it("falls back to the database server's own address, or nothing", () => {
    expect(
      defaults({
        platform: { postgres: { url: 'postgresql://admin@db.internal/x' } },
      }).databaseAddress('prod'),
    ).toEqual({ host: 'db.internal', port: 5432 });
    expect(defaults({}).databaseAddress('prod')).toBeUndefined();
  });
});

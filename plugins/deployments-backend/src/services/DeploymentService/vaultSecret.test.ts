import { withDatabaseAddress } from './vaultSecret';

describe("the database address an environment's pods get", () => {
  const values = {
    DATABASE_HOST: '10.89.0.1',
    DATABASE_PORT: '5432',
    DATABASE_URL: 'postgresql://orders_owner:pw-1@10.89.0.1:5432/orders',
    APP_SESSION_SECRET: 's',
  };

  it("is their cluster's: host and port replaced wherever they are", () => {
    expect(
      withDatabaseAddress(values, { host: '10.111.0.1', port: 5432 }),
    ).toEqual({
      DATABASE_HOST: '10.111.0.1',
      DATABASE_PORT: '5432',
      DATABASE_URL: 'postgresql://orders_owner:pw-1@10.111.0.1:5432/orders',
      APP_SESSION_SECRET: 's',
    });
    // A rotated login (the environment's own URL) moves too.
    expect(
      withDatabaseAddress(
        { DATABASE_URL: 'postgresql://o_staging_a:pw-2@10.89.0.1/orders' },
        { host: 'db.eu.internal', port: 6432 },
      ),
    ).toEqual({
      DATABASE_URL: 'postgresql://o_staging_a:pw-2@db.eu.internal:6432/orders',
    });
  });

  it('leaves values as Vault holds them with no address, or no database', () => {
    expect(withDatabaseAddress(values)).toBe(values);
    expect(
      withDatabaseAddress(
        { APP_SESSION_SECRET: 's', DATABASE_URL: 'not a url' },
        { host: 'h', port: 1 },
      ),
    ).toEqual({ APP_SESSION_SECRET: 's', DATABASE_URL: 'not a url' });
  });
});

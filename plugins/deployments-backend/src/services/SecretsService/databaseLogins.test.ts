import { isUnreachable, nextDatabaseLogin } from './databaseLogins';

describe('the next database login of an environment', () => {
  const database = {
    username: 'orders_owner',
    password: 'tofu-made',
    host: 'db.internal',
    port: '5432',
    database: 'orders',
  };

  it('moves from the service-wide owner login to the environment’s own, then alternates', () => {
    const first = nextDatabaseLogin(database, {}, 'staging', 'pw1');
    expect(first).toEqual({
      ownerRole: 'orders_owner',
      oldRole: 'orders_owner',
      newRole: 'orders_owner_staging_a',
      password: 'pw1',
      data: {
        DATABASE_USERNAME: 'orders_owner_staging_a',
        DATABASE_PASSWORD: 'pw1',
        DATABASE_URL:
          'postgresql://orders_owner_staging_a:pw1@db.internal:5432/orders',
      },
    });
    const second = nextDatabaseLogin(database, first.data, 'staging', 'pw2');
    expect(second).toMatchObject({
      oldRole: 'orders_owner_staging_a',
      newRole: 'orders_owner_staging_b',
    });
    expect(
      nextDatabaseLogin(database, second.data, 'staging', 'pw3').newRole,
    ).toBe('orders_owner_staging_a');
    expect(nextDatabaseLogin(database, {}, 'pre-prod', 'pw').newRole).toBe(
      'orders_owner_pre_prod_a',
    );
  });

  it('generates a URL-safe password by default', () => {
    expect(nextDatabaseLogin(database, {}, 'staging').password).toMatch(
      /^[A-Za-z0-9_-]{32}$/,
    );
  });

  it('refuses what it cannot rotate, naming the field', () => {
    expect(() => nextDatabaseLogin({}, {}, 'staging')).toThrow(
      /^keys: the service-wide database secret has no username, host or database/,
    );
    expect(() =>
      nextDatabaseLogin(
        { ...database, username: 'x'.repeat(60) },
        {},
        'staging',
      ),
    ).toThrow(/would not be a PostgreSQL identifier of at most 63 characters/);
  });
});

describe('a PostgreSQL server out of reach', () => {
  it('is told apart from a refused statement by its code', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03']) {
      expect(isUnreachable(Object.assign(new Error('x'), { code }))).toBe(true);
    }
    expect(isUnreachable(new Error('Connection terminated unexpectedly'))).toBe(
      true,
    );
    // A role that exists, a syntax error, a permission: the server answered.
    for (const code of ['42710', '42601', '42501']) {
      expect(isUnreachable(Object.assign(new Error('x'), { code }))).toBe(
        false,
      );
    }
    expect(isUnreachable(undefined)).toBe(false);
  });
});

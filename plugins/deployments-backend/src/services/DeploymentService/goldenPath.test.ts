import { environmentNamed } from './goldenPath';

// The environment a request names (a deploy, a secret change, a rotation):
// an unknown one is a 400 naming the field and the environments there are.
describe('environmentNamed', () => {
  const environments = [
    { name: 'staging', namespacePattern: '{service}-staging' },
    { name: 'production', namespacePattern: '{service}-production' },
  ] as Parameters<typeof environmentNamed>[0];

  it('finds a configured environment', () => {
    expect(environmentNamed(environments, 'production').name).toBe(
      'production',
    );
  });

  it('refuses an unknown one with a 400 naming the field and the known ones', () => {
    expect(() => environmentNamed(environments, 'qa')).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          'environment: unknown environment "qa"; known: staging, production',
      }),
    );
    expect(() => environmentNamed(environments, 'Staging', 'to')).toThrow(
      /^to: unknown environment "Staging"/,
    );
  });
});

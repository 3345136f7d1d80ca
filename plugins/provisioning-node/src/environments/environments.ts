import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One place a service runs, from `paved.environments` in app-config. */
export interface Environment {
  name: string;
  /** The cluster's name in the `kubernetes` config. */
  cluster: string;
  /** A service's namespace here, with `{service}` standing for its name. */
  namespacePattern: string;
  requiresApproval: boolean;
}

export function readEnvironments(config: Config): Environment[] {
  return config.getConfigArray('paved.environments').map(env => {
    const namespacePattern = env.getString('namespacePattern');
    if (!namespacePattern.includes('{service}')) {
      throw new InputError(
        `paved.environments: namespacePattern "${namespacePattern}" of ${env.getString(
          'name',
        )} must contain {service}, e.g. "{service}-staging"`,
      );
    }
    return {
      name: env.getString('name'),
      cluster: env.getString('cluster'),
      namespacePattern,
      requiresApproval: env.getOptionalBoolean('requiresApproval') ?? false,
    };
  });
}

/** The namespace a service uses in an environment. */
export function namespaceFor(environment: Environment, service: string) {
  return environment.namespacePattern.replace(/\{service\}/g, service);
}

/** Every environment's namespace for a service, keyed by environment name. */
export function namespacesFor(
  environments: Environment[],
  service: string,
): Record<string, string> {
  return Object.fromEntries(
    environments.map(env => [env.name, namespaceFor(env, service)]),
  );
}

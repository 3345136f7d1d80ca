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
  /**
   * A failed rollout here is rolled back to the image that ran before,
   * automatically (default true; `autoRollback: false` turns it off).
   */
  autoRollback: boolean;
  /**
   * Where a service answers here, with {service}, {namespace} and
   * {environment} to fill in; unset when services have no URL.
   */
  urlPattern?: string;
}

export function readEnvironments(config: Config): Environment[] {
  const gateway = config.getOptionalString('paved.platform.gateway.url');
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
      autoRollback: env.getOptionalBoolean('autoRollback') ?? true,
      urlPattern: env.getOptionalString('urlPattern') ?? gateway,
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

/** Where a service answers in an environment, or undefined when it has no URL there. */
export function serviceUrlFor(
  environment: Environment,
  service: string,
  /** The service's namespace there, when it is not the pattern's (e.g. from its catalog annotation). */
  namespace = namespaceFor(environment, service),
): string | undefined {
  return environment.urlPattern
    ?.replace(/\{service\}/g, service)
    .replace(/\{namespace\}/g, namespace)
    .replace(/\{environment\}/g, environment.name);
}

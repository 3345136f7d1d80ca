import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { Environment } from '@paved/plugin-provisioning-node';

// Where a golden-path service runs, from its catalog entity and the
// configured environments; each failure is a 400 naming what to fix.

/** The annotation naming a service's namespace in one environment. */
export const namespaceAnnotation = (environment: string) =>
  `paved.dev/kubernetes-namespace-${environment}`;
const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** Field manager of the image changes, so the golden path's own fields stay its own. */
export const DEPLOYMENTS_FIELD_MANAGER = 'paved-deployments';

/** The configured environment of that name; an InputError naming `field` and the known ones. */
export function environmentNamed(
  environments: Environment[],
  name: string,
  field = 'environment',
): Environment {
  const environment = environments.find(e => e.name === name);
  if (!environment) {
    throw new InputError(
      `${field}: unknown environment "${name}"; known: ${environments
        .map(e => e.name)
        .join(', ')}`,
    );
  }
  return environment;
}

/** The service's namespace in an environment, from its `paved.dev/kubernetes-namespace-<env>` annotation. */
export function namespaceOf(entity: Entity, environment: string): string {
  const annotation = namespaceAnnotation(environment);
  const namespace = entity.metadata.annotations?.[annotation];
  if (!namespace) {
    throw new InputError(
      `${stringifyEntityRef(
        entity,
      )} is not on the golden path yet: it has no ${annotation} annotation. ` +
        'The Create Service template (templates/create-service) adds it, with the namespace, Vault path and first deploy.',
    );
  }
  return namespace;
}

/** The name of the service's Deployment: `backstage.io/kubernetes-id`, else the entity's name. */
export function workloadOf(entity: Entity): string {
  return (
    entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ??
    entity.metadata.name
  );
}

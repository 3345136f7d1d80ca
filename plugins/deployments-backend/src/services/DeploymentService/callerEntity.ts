import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { errorMessage } from './audit';
import { Caller } from './types';

/** The signed-in user behind a call; a service principal may not act on its own. */
export function requireUser(caller: Caller): string {
  if (!caller.userEntityRef) {
    throw new NotAllowedError('Only a signed-in user may do this');
  }
  return caller.userEntityRef;
}

/**
 * The entity a call names (kind and namespace default to component and default), read with
 * the caller's credentials: 400 for a reference that does not parse, 404 when it is not there.
 */
export async function getCallerEntity(
  catalog: CatalogService,
  entityRef: string,
  caller: Caller,
): Promise<Entity> {
  let ref: string;
  try {
    ref = stringifyEntityRef(
      parseEntityRef(entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`entityRef: ${errorMessage(error)}`);
  }
  const entity = await catalog.getEntityByRef(ref, {
    credentials: caller.credentials,
  });
  if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
  return entity;
}

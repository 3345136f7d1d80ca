import { Entity } from '@backstage/catalog-model';

/** The annotation the Create Service template writes on golden-path components. */
export const GOLDEN_PATH_ANNOTATION = 'paved.dev/golden-path';

/** Components made by the golden path: they carry `paved.dev/golden-path`. */
export function isGoldenPath(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    Boolean(entity.metadata.annotations?.[GOLDEN_PATH_ANNOTATION])
  );
}

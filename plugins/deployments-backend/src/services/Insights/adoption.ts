import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Golden-path adoption from the catalog and the deployment records: pure
 * functions (docs/decisions/0021-platform-insights.md).
 */

/** How a deployment was requested, from the request's User-Agent. */
export type DeployChannel = 'portal' | 'cli' | 'other';

/**
 * `cli` for Paved's CLI (a User-Agent naming `paved-cli`), `portal` for a
 * browser, `other` for the rest: the golden path's own first deploy, automatic
 * rollbacks, CI and scripts.
 */
export function channelOf(userAgent?: string): DeployChannel {
  if (!userAgent) return 'other';
  if (/\bpaved-cli\b/i.test(userAgent)) return 'cli';
  if (/\bMozilla\//.test(userAgent)) return 'portal';
  return 'other';
}

export interface AdoptionFigures {
  /** Components of `spec.type: service`. */
  services: number;
  /** Of those, made or adopted by the golden path (`paved.dev/golden-path`). */
  goldenPath: number;
  goldenPathShare: number | null;
  /** Golden-path services with the database Paved provisions (`resource:<name>-database`). */
  withDatabase: number;
  databaseShare: number | null;
  deploys: Record<DeployChannel, number>;
}

const GOLDEN_PATH = 'paved.dev/golden-path';

function hasPavedDatabase(entity: Entity): boolean {
  const dependsOn = (entity.spec?.dependsOn ?? []) as unknown[];
  const name = entity.metadata.name;
  return dependsOn.some(
    ref =>
      typeof ref === 'string' &&
      ref.toLocaleLowerCase('en-US').replace(/^resource:(default\/)?/, '') ===
        `${name}-database`,
  );
}

/**
 * The adoption of one group: its services from the catalog, its deploys (any
 * environment) by channel.
 */
export function computeAdoption(
  components: Entity[],
  deployments: Array<{ userAgent?: string }>,
): AdoptionFigures {
  const services = components.filter(e => e.spec?.type === 'service');
  const golden = services.filter(e => !!e.metadata.annotations?.[GOLDEN_PATH]);
  const withDatabase = golden.filter(hasPavedDatabase).length;
  const deploys: Record<DeployChannel, number> = {
    portal: 0,
    cli: 0,
    other: 0,
  };
  for (const d of deployments) deploys[channelOf(d.userAgent)]++;
  return {
    services: services.length,
    goldenPath: golden.length,
    goldenPathShare: services.length ? golden.length / services.length : null,
    withDatabase,
    databaseShare: golden.length ? withDatabase / golden.length : null,
    deploys,
  };
}

/** The owner ref of a component, as the catalog would resolve `spec.owner`. */
export function ownerOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  const [kindPart, rest] = owner.includes(':')
    ? owner.split(/:(.*)/s, 2)
    : ['group', owner];
  const [namespace, name] = rest.includes('/')
    ? rest.split(/\/(.*)/s, 2)
    : [entity.metadata.namespace ?? 'default', rest];
  return `${kindPart.toLocaleLowerCase('en-US')}:${namespace.toLocaleLowerCase(
    'en-US',
  )}/${name.toLocaleLowerCase('en-US')}`;
}

/** Adoption for the organisation and per team (owner). */
export function adoptionByTeam(
  components: Entity[],
  deployments: Array<{ entityRef: string; userAgent?: string }>,
): Array<{ key: string; figures: AdoptionFigures }> {
  const teamOfRef = new Map(
    components.map(e => [stringifyEntityRef(e), ownerOf(e)]),
  );
  const teams = new Set(
    components.map(ownerOf).filter((t): t is string => !!t),
  );
  return [
    { key: 'organisation', figures: computeAdoption(components, deployments) },
    ...[...teams].sort().map(team => ({
      key: team,
      figures: computeAdoption(
        components.filter(e => ownerOf(e) === team),
        deployments.filter(d => teamOfRef.get(d.entityRef) === team),
      ),
    })),
  ];
}

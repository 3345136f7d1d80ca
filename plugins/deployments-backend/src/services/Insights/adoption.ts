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
  /** The golden paths' own runs in the window (the scaffolder's tasks); null when the scaffolder could not be asked. */
  templateRuns: TemplateRunFigures | null;
}

/** A run of a template, as the scaffolder lists its tasks. */
export interface TemplateRun {
  /** The template's entity ref, e.g. `template:default/create-service`. */
  template: string;
  createdAt: string;
  /** The run's form values: `owner` (Create Service), `component` (Provision Database). */
  parameters: Record<string, unknown>;
}

/** The two golden paths counted, by their template's entity ref. */
export const GOLDEN_PATH_TEMPLATES = {
  createService: 'template:default/create-service',
  provisionDatabase: 'template:default/provision-database',
} as const;
type GoldenPathTemplate = keyof typeof GOLDEN_PATH_TEMPLATES;

export interface TemplateRunFigures {
  createService: number;
  provisionDatabase: number;
  /** Runs per week, counted back from the window's end (the oldest week may be shorter), oldest first. */
  weekly: Array<{
    weekStart: string;
    createService: number;
    provisionDatabase: number;
  }>;
}

const WEEK_MS = 7 * 86_400_000;

function templateOf(run: TemplateRun): GoldenPathTemplate | undefined {
  const ref = normalizeRef(run.template, 'template', 'default');
  if (ref === GOLDEN_PATH_TEMPLATES.createService) return 'createService';
  if (ref === GOLDEN_PATH_TEMPLATES.provisionDatabase)
    return 'provisionDatabase';
  return undefined;
}

/** Create Service and Provision Database runs in the window, in all and per week. */
export function countTemplateRuns(
  runs: TemplateRun[],
  window: { from: string; to: string },
): TemplateRunFigures {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const weeks = Math.max(1, Math.ceil((to - from) / WEEK_MS));
  const weekly = Array.from({ length: weeks }, (_, i) => ({
    weekStart: new Date(
      Math.max(from, to - (weeks - i) * WEEK_MS),
    ).toISOString(),
    createService: 0,
    provisionDatabase: 0,
  }));
  const totals = { createService: 0, provisionDatabase: 0 };
  for (const run of runs) {
    const template = templateOf(run);
    const t = Date.parse(run.createdAt);
    if (!template || !(t >= from && t <= to)) continue;
    totals[template]++;
    // Weeks are [start, start + 7 days): a run at a week's start is in it.
    const weeksBack = Math.min(
      weeks - 1,
      Math.max(0, Math.ceil((to - t) / WEEK_MS) - 1),
    );
    weekly[weeks - 1 - weeksBack][template]++;
  }
  return { ...totals, weekly };
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
  runs: TemplateRun[] | undefined,
  window: { from: string; to: string },
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
    templateRuns: runs ? countTemplateRuns(runs, window) : null,
  };
}

/** An entity ref in full and lower case, as the catalog would resolve it. */
function normalizeRef(
  ref: string,
  defaultKind: string,
  defaultNamespace: string,
): string {
  const [kindPart, rest] = ref.includes(':')
    ? ref.split(/:(.*)/s, 2)
    : [defaultKind, ref];
  const [namespace, name] = rest.includes('/')
    ? rest.split(/\/(.*)/s, 2)
    : [defaultNamespace, rest];
  return `${kindPart.toLocaleLowerCase('en-US')}:${namespace.toLocaleLowerCase(
    'en-US',
  )}/${name.toLocaleLowerCase('en-US')}`;
}

/** The owner ref of a component, as the catalog would resolve `spec.owner`. */
export function ownerOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return normalizeRef(owner, 'group', entity.metadata.namespace ?? 'default');
}

/**
 * The team a run was for: Create Service's `owner`; for Provision Database,
 * the owner of its `component` as the catalog has it now.
 */
function teamOfRun(
  run: TemplateRun,
  teamOfRef: Map<string, string | undefined>,
): string | undefined {
  const { owner, component } = run.parameters ?? {};
  const template = templateOf(run);
  if (template === 'createService' && typeof owner === 'string' && owner)
    return normalizeRef(owner, 'group', 'default');
  if (template === 'provisionDatabase' && typeof component === 'string')
    return teamOfRef.get(normalizeRef(component, 'component', 'default'));
  return undefined;
}

/** Adoption for the organisation and per team (owner). */
export function adoptionByTeam(
  components: Entity[],
  deployments: Array<{ entityRef: string; userAgent?: string }>,
  runs: TemplateRun[] | undefined,
  window: { from: string; to: string },
): Array<{ key: string; figures: AdoptionFigures }> {
  const teamOfRef = new Map(
    components.map(e => [stringifyEntityRef(e), ownerOf(e)]),
  );
  const teams = new Set(
    components.map(ownerOf).filter((t): t is string => !!t),
  );
  return [
    {
      key: 'organisation',
      figures: computeAdoption(components, deployments, runs, window),
    },
    ...[...teams].sort().map(team => ({
      key: team,
      figures: computeAdoption(
        components.filter(e => ownerOf(e) === team),
        deployments.filter(d => teamOfRef.get(d.entityRef) === team),
        runs?.filter(r => teamOfRun(r, teamOfRef) === team),
        window,
      ),
    })),
  ];
}

import { DoraDeployment } from './dora';

/** A production deployment with how it was requested, for the adoption figures. */
export interface InsightsDeployment extends DoraDeployment {
  userAgent?: string;
}

/**
 * What the insights read from the deployments database: one lean scan of an
 * environment's deployments since a time, each with the commit time of the
 * build of its image (by image, or by digest for `repo@sha256:` images).
 */
export interface InsightsStore {
  listDeployments(options: {
    /** Every environment when absent. */
    environment?: string;
    since: string;
    /** Only these entities; all when absent. */
    entityRefs?: string[];
    /** Read each deployment's user agent too (adoption; DORA does without). */
    userAgents?: boolean;
  }): Promise<InsightsDeployment[]>;
}

import { CompoundEntityRef } from '@backstage/catalog-model';

/** What happened to one entity's docs in a prebuild run. */
export interface PrebuildResult {
  entity: CompoundEntityRef;
  outcome: 'built' | 'up-to-date' | 'failed';
  /** Why it failed, as TechDocs reported it. */
  error?: string;
}

/** Builds the TechDocs of catalog entities that have them. */
export interface TechDocsPrebuilder {
  /** Builds the docs not built yet, or built longer ago than the rebuild interval. */
  prebuildDue(): Promise<PrebuildResult[]>;
}

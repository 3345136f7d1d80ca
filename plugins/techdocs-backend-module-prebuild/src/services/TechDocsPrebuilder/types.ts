import { CompoundEntityRef } from '@backstage/catalog-model';

/** What happened to one entity's docs in a prebuild run. */
export interface PrebuildResult {
  entity: CompoundEntityRef;
  outcome: 'built' | 'up-to-date' | 'failed';
  /** Why it failed, as TechDocs reported it. */
  error?: string;
}

/** Builds the TechDocs of every catalog entity that has them. */
export interface TechDocsPrebuilder {
  prebuildAll(): Promise<PrebuildResult[]>;
}

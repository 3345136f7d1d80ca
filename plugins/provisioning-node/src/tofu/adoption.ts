/**
 * What an OpenTofu apply stopped half-way leaves behind, and how a run again takes it back
 * (docs/decisions/0028): an object created in its system but never written to the state
 * (tofu killed between the two, e.g. with the portal) makes the next apply fail, as
 * creating it again is refused. The runner then imports each object the plan meant to
 * create and the state lacks, by the ID its provider's import takes, and applies again.
 * An object that does not exist fails its import and is left to the apply.
 */

/** Kubernetes resources of the hashicorp/kubernetes provider with no namespace. */
const CLUSTER_SCOPED = new Set([
  'kubernetes_namespace_v1',
  'kubernetes_namespace',
  'kubernetes_cluster_role_v1',
  'kubernetes_cluster_role_binding_v1',
  'kubernetes_storage_class_v1',
  'kubernetes_priority_class_v1',
]);

/** Resources imported by their `name` argument (the Paved PostgreSQL provider's, Vault's policies). */
const BY_NAME = new Set([
  'postgresql_role',
  'postgresql_database',
  'vault_policy',
]);

/**
 * The import ID of a resource the plan creates, from its planned values (`change.after`
 * of `tofu show -json`), or undefined when it can't be adopted (no fixed identity, e.g.
 * random_password, or a type this runner doesn't know).
 */
export function importIdOf(type: string, after: unknown): string | undefined {
  const values = (after ?? {}) as Record<string, any>;
  if (type.startsWith('kubernetes_') && type !== 'kubernetes_manifest') {
    const metadata = values.metadata?.[0];
    const name = metadata?.name;
    if (typeof name !== 'string' || name === '') return undefined;
    if (CLUSTER_SCOPED.has(type)) return name;
    return `${metadata.namespace || 'default'}/${name}`;
  }
  if (BY_NAME.has(type)) {
    return typeof values.name === 'string' && values.name !== ''
      ? values.name
      : undefined;
  }
  return undefined;
}

/** A resource the plan creates (not replaces) that could be in its system already. */
export interface AdoptionCandidate {
  address: string;
  id: string;
}

/** The resources of a plan (`tofu show -json`) that a failed apply may have left untracked. */
export function adoptionCandidates(
  plan: any,
  tracked: ReadonlySet<string>,
): AdoptionCandidate[] {
  const candidates: AdoptionCandidate[] = [];
  for (const resource of plan?.resource_changes ?? []) {
    const actions: string[] = resource.change?.actions ?? [];
    if (actions.join() !== 'create' || tracked.has(resource.address)) continue;
    if (resource.mode && resource.mode !== 'managed') continue;
    const id = importIdOf(resource.type, resource.change?.after);
    if (id) candidates.push({ address: resource.address, id });
  }
  return candidates;
}

import { KubernetesObject } from '@kubernetes/client-node';

/** Fields the apiserver owns: they differ on every write and say nothing about intent. */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'generation',
  'uid',
  'creationTimestamp',
];

function comparable(object: KubernetesObject | undefined) {
  if (!object) return {};
  const {
    status: _status,
    metadata,
    ...rest
  } = object as KubernetesObject & {
    status?: unknown;
  };
  const cleanMetadata: Record<string, unknown> = { ...metadata };
  for (const field of SERVER_METADATA) delete cleanMetadata[field];
  return { ...rest, metadata: cleanMetadata };
}

function flatten(
  value: unknown,
  path: string,
  into: Map<string, string>,
): Map<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, `${path}[${index}]`, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      flatten(child, path ? `${path}.${key}` : key, into);
    }
  } else if (value !== undefined) {
    into.set(path, JSON.stringify(value));
  }
  return into;
}

const isSecretValue = (kind: string | undefined, path: string) =>
  kind === 'Secret' && /^(data|stringData)\./.test(path);

/**
 * The fields that differ between the live object and the one the apiserver
 * would store, one line each, in a stable order. Secret values never appear.
 */
export function diffObjects(
  live: KubernetesObject | undefined,
  desired: KubernetesObject,
): string[] {
  const before = flatten(comparable(live), '', new Map());
  const after = flatten(comparable(desired), '', new Map());
  const show = (path: string, value: string) =>
    isSecretValue(desired.kind, path) ? '***' : value;
  const lines: string[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(path);
    const now = after.get(path);
    if (old === now) continue;
    if (old === undefined) lines.push(`+ ${path}: ${show(path, now!)}`);
    else if (now === undefined) lines.push(`- ${path}`);
    else lines.push(`~ ${path}: ${show(path, old)} → ${show(path, now)}`);
  }
  return lines;
}

/**
 * How the deployments UI writes things: who, when, which version, and what
 * went wrong. Pure functions, no React.
 */
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DEPLOYMENT_IN_PROGRESS_ERROR } from '@paved/plugin-deployments-common';
import { DateTime } from 'luxon';

/** `alice` for `user:default/alice`, the ref itself when it is not a user in default. */
export function displayRef(ref: string | undefined): string {
  if (!ref) return 'unknown';
  try {
    const { kind, namespace, name } = parseEntityRef(ref, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    if (kind.toLocaleLowerCase('en-US') === 'user' && namespace === 'default') {
      return name;
    }
  } catch {
    // not an entity ref: show it as it is
  }
  return ref;
}

/** "3 minutes ago"; the absolute time goes into a title attribute by the callers. */
export function relativeTime(iso: string | undefined): string {
  if (!iso) return '';
  const time = DateTime.fromISO(iso);
  return time.isValid ? time.toRelative() ?? iso : iso;
}

export function absoluteTime(iso: string | undefined): string {
  if (!iso) return '';
  const time = DateTime.fromISO(iso);
  return time.isValid ? time.toLocaleString(DateTime.DATETIME_MED) : iso;
}

/**
 * The version an image reference names, short enough for a table cell:
 * `1.4.2` for `registry.paved.local/orders-api:1.4.2`, a commit-hash tag as
 * git shows it (`3f2c1e0`), `sha256:3f2c1e0d9b8a` for a digest, `latest`
 * when there is no tag.
 */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) {
    const [algorithm, hex = ''] = image.slice(at + 1).split(':');
    return `${algorithm}:${hex.slice(0, 12)}`;
  }
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon < 0) return 'latest';
  const tag = lastPart.slice(colon + 1);
  return /^[0-9a-f]{40}$/.test(tag) ? tag.slice(0, 7) : tag;
}

/**
 * A title and the backend's own message for an error, to show in a dialog;
 * told apart by status and the backend's error name, never by the wording.
 */
export function describeError(error: Error): {
  title: string;
  message: string;
} {
  const response = error as Partial<ResponseError>;
  const status = response.statusCode;
  const message =
    (response.body?.error?.message as string | undefined) ?? error.message;
  const name = response.body?.error?.name as string | undefined;
  switch (status) {
    case 400:
      return { title: 'Invalid request', message };
    case 403:
      return { title: 'Not allowed', message };
    case 404:
      return { title: 'Not found', message };
    case 409:
      return {
        title:
          name === DEPLOYMENT_IN_PROGRESS_ERROR
            ? 'Already deploying'
            : 'Conflict',
        message,
      };
    case 503:
      return {
        title: 'Kubernetes is unavailable',
        message: `${message} Nothing was deployed; try again when the cluster is back.`,
      };
    default:
      return {
        title: status ? `Request failed (${status})` : 'Request failed',
        message,
      };
  }
}

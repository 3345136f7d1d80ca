import { makeValidator, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { validateImageReference } from '@paved/plugin-deployments-common';

// The formats of a build record's fields. Each failure is an InputError
// naming the field and what to send instead.

const validator = makeValidator();
const SHA = /^[0-9a-f]{7,40}$/i;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * `component:<namespace>/<name>`, checked for form only: the first build of
 * a service arrives before Create Service registers it in the catalog.
 */
export function buildEntityRef(value: string, field = 'entityRef'): string {
  const match = /^component:([^:/]+)\/([^:/]+)$/i.exec(value);
  if (
    !match ||
    !validator.isValidNamespace(match[1]) ||
    !validator.isValidEntityName(match[2])
  ) {
    throw new InputError(
      `${field}: "${value}" is not an entity ref of the form component:<namespace>/<name>, e.g. component:default/orders-api (the builder uses component:default/<repository>)`,
    );
  }
  return stringifyEntityRef({
    kind: 'component',
    namespace: match[1],
    name: match[2],
  });
}

/** A commit SHA, lowercase. */
export function commitSha(value: string, field = 'commit.sha'): string {
  if (!SHA.test(value)) {
    throw new InputError(
      `${field}: "${value}" is not a commit SHA; send 7 to 40 hexadecimal characters, e.g. the output of git rev-parse HEAD`,
    );
  }
  return value.toLowerCase();
}

/** An ISO 8601 time, normalized to UTC with milliseconds. */
export function isoTime(value: string, field: string): string {
  const time = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(time)) {
    throw new InputError(
      `${field}: "${value}" is not an ISO 8601 time; send e.g. 2026-03-01T12:00:00Z`,
    );
  }
  return new Date(time).toISOString();
}

export function image(value: string, field = 'image'): string {
  const validation = validateImageReference(value);
  if (!validation.valid) throw new InputError(`${field}: ${validation.error}`);
  return value;
}

export function digest(value: string, field = 'digest'): string {
  if (!DIGEST.test(value)) {
    throw new InputError(
      `${field}: "${value}" is not an image digest; send sha256: and 64 lowercase hexadecimal digits, as the registry reports it`,
    );
  }
  return value;
}

/** Text as PostgreSQL stores it: without NUL characters. */
export const storableText = (text: string) => text.split('\u0000').join('');

// The reference grammar of the distribution spec, simplified to what a
// deployment names: `registry/path:tag` or `registry/path@sha256:<64 hex>`.
const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** What an image reference is made of. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export type ImageValidation =
  | { valid: true; reference: ImageReference }
  | { valid: false; error: string };

/**
 * Checks an image reference such as `registry.paved.local/orders-api:1.4.2`
 * or `registry.paved.local/orders-api@sha256:<64 hex digits>`. The registry
 * is required (no implicit Docker Hub), and so is a tag or a digest (no
 * implicit `latest`). The error says what is wrong, for a form field or a 400.
 */
export function validateImageReference(image: string): ImageValidation {
  const fail = (error: string): ImageValidation => ({ valid: false, error });
  if (typeof image !== 'string' || !image.trim()) {
    return fail(
      'image is empty; expected registry/path:tag or registry/path@sha256:<digest>',
    );
  }
  if (image !== image.trim() || /\s/.test(image)) {
    return fail(`image "${image}" contains whitespace`);
  }
  if (image.length > 512) {
    return fail('image is longer than 512 characters');
  }
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      return fail(
        `image "${image}" has a malformed digest "${digest}"; expected sha256: and 64 lowercase hex digits`,
      );
    }
  }
  const slash = rest.indexOf('/');
  if (slash < 0) {
    return fail(
      `image "${image}" names no registry; expected registry/path:tag, e.g. registry.paved.local/orders-api:1.0.0`,
    );
  }
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (
    !REGISTRY.test(registry) ||
    !(
      registry.includes('.') ||
      registry.includes(':') ||
      registry === 'localhost'
    )
  ) {
    return fail(
      `image "${image}" has an invalid registry "${registry}"; expected a host name such as registry.paved.local, optionally with :port`,
    );
  }
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) {
      return fail(
        `image "${image}" has an invalid tag "${tag}"; a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
    }
  }
  if (!path) {
    return fail(`image "${image}" has no repository path after the registry`);
  }
  const bad = path
    .split('/')
    .find(component => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    return fail(
      `image "${image}" has an invalid path component "${bad}"; use lowercase letters, digits and single separators (".", "_", "-")`,
    );
  }
  if (!tag && !digest) {
    return fail(
      `image "${image}" has no tag or digest; add :<tag> or @sha256:<digest> (an implicit "latest" is not deployed)`,
    );
  }
  return {
    valid: true,
    reference: { registry, repository: path, tag, digest },
  };
}

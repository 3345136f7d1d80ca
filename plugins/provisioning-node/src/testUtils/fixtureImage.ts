import { createHash } from 'node:crypto';
import { LocalPlatform, loadLocalPlatform } from './localPlatform';

/**
 * The fixture image's variants (`yarn platform up` pushes them as
 * `<registry>/paved/fixture-http:<variant>`): a busybox HTTP server on $PORT
 * (default 8080) answering `/healthz` and `/readyz` with 200 and
 * `{"status":"ok","version":"<$VERSION or fixture>"}`. `crash` exits 1 at once;
 * `unready` answers `/readyz` with 503.
 */
export type FixtureVariant = 'ok' | 'crash' | 'unready';

/** What {@link pushFixtureImage} pushed. */
export interface PushedFixtureImage {
  /** The reference to deploy, e.g. `registry.paved.local/orders:1.2.0`. */
  image: string;
  /** The same image by the registry's own address, e.g. `127.0.0.1:15000/orders:1.2.0`. */
  localImage: string;
  /** The manifest's digest (`sha256:…`). */
  digest: string;
}

const FIXTURE_REPOSITORY = 'paved/fixture-http';
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function expectStatus(
  what: string,
  response: Response,
  ...statuses: number[]
): Promise<Response> {
  if (!statuses.includes(response.status)) {
    const body = await response.text().catch(() => '');
    throw new Error(
      `${what}: HTTP ${response.status} ${body.slice(0, 300)}`.trim(),
    );
  }
  return response;
}

/**
 * Copies the local platform's fixture image to `<registry>/<repo>:<tag>`
 * through the registry's HTTP API (the blobs are mounted from
 * `paved/fixture-http`, not copied), so that a test deploys
 * `registry.paved.local/<repo>:<tag>` and a real container runs. With
 * `version`, the image's `VERSION` is set to it, so `/healthz` reports it.
 */
export async function pushFixtureImage(
  repo: string,
  tag: string,
  variant: FixtureVariant = 'ok',
  options: { version?: string; platform?: LocalPlatform } = {},
): Promise<PushedFixtureImage> {
  const registry = (options.platform ?? loadLocalPlatform()).registry;
  if (!registry) {
    throw new Error(
      'The local platform config has no paved.platform.registry: run `yarn platform up` (npm test does it for you).',
    );
  }
  if (
    !/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repo)
  ) {
    throw new Error(`Not a repository name: ${repo}`);
  }
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
    throw new Error(`Not a tag: ${tag}`);
  }
  const api = `http://${registry.address}/v2`;

  const source = await fetch(
    `${api}/${FIXTURE_REPOSITORY}/manifests/${variant}`,
    { headers: { Accept: MANIFEST_TYPES.join(', ') } },
  );
  if (source.status === 404) {
    throw new Error(
      `The registry at ${registry.address} has no ${FIXTURE_REPOSITORY}:${variant}: run \`yarn platform up\`, which pushes it.`,
    );
  }
  await expectStatus(`Reading ${FIXTURE_REPOSITORY}:${variant}`, source, 200);
  const mediaType =
    source.headers.get('content-type') ??
    'application/vnd.oci.image.manifest.v1+json';
  let manifestBytes = Buffer.from(await source.arrayBuffer());
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
    config: { digest: string; size: number; mediaType: string };
    layers: Array<{ digest: string }>;
  };

  const upload = async (started: Response, bytes: Buffer, digest: string) => {
    const location = new URL(
      started.headers.get('location') ?? '',
      `http://${registry.address}`,
    );
    location.searchParams.set('digest', digest);
    await expectStatus(
      `Uploading blob ${digest} to ${repo}`,
      await fetch(location, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: bytes,
      }),
      201,
    );
  };

  // Blobs: mount them from the fixture's repository (no bytes move).
  const mount = async (digest: string) => {
    const mounted = await fetch(
      `${api}/${repo}/blobs/uploads/?mount=${encodeURIComponent(
        digest,
      )}&from=${FIXTURE_REPOSITORY}`,
      { method: 'POST' },
    );
    await expectStatus(`Mounting ${digest} into ${repo}`, mounted, 201, 202);
    if (mounted.status === 201) return;
    // 202: the registry started an upload instead; send the bytes.
    const blob = await expectStatus(
      `Reading blob ${digest}`,
      await fetch(`${api}/${FIXTURE_REPOSITORY}/blobs/${digest}`),
      200,
    );
    await upload(mounted, Buffer.from(await blob.arrayBuffer()), digest);
  };
  if (options.version !== undefined) {
    // A config of its own, with VERSION set: a new blob, and a new manifest.
    const configResponse = await expectStatus(
      `Reading the fixture's config ${manifest.config.digest}`,
      await fetch(
        `${api}/${FIXTURE_REPOSITORY}/blobs/${manifest.config.digest}`,
      ),
      200,
    );
    const config = (await configResponse.json()) as {
      config: { Env?: string[] };
    };
    config.config.Env = [
      ...(config.config.Env ?? []).filter(e => !e.startsWith('VERSION=')),
      `VERSION=${options.version}`,
    ];
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256(configBytes);
    const started = await expectStatus(
      `Starting an upload to ${repo}`,
      await fetch(`${api}/${repo}/blobs/uploads/`, { method: 'POST' }),
      202,
    );
    await upload(started, configBytes, configDigest);
    manifest.config = {
      ...manifest.config,
      digest: configDigest,
      size: configBytes.length,
    };
    manifestBytes = Buffer.from(JSON.stringify(manifest));
  } else {
    await mount(manifest.config.digest);
  }
  for (const layer of manifest.layers) {
    await mount(layer.digest);
  }

  const put = await expectStatus(
    `Pushing the manifest ${repo}:${tag}`,
    await fetch(`${api}/${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: manifestBytes,
    }),
    201,
  );
  return {
    image: `${registry.publicHost}/${repo}:${tag}`,
    localImage: `${registry.address}/${repo}:${tag}`,
    digest: put.headers.get('docker-content-digest') ?? sha256(manifestBytes),
  };
}

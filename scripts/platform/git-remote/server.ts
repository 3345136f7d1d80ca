/*
 * (Over 400 lines: git smart HTTP, the REST API, the HTML views and the builder's notice.)
 *
 * Paved's local git remote: the forge that "Create Service" publishes to on a
 * machine without GitHub or GitLab. Production uses Backstage's own publish
 * actions against a real forge; this server exists so that the golden path
 * runs for real on a laptop and in CI.
 *
 * It serves bare repositories under PAVED_GIT_ROOT:
 *   POST /api/repos {owner, name, description}  create a repository (409 if it exists)
 *   GET  /api/repos/:owner/:name                 repository metadata, 404 if missing
 *   GET  /api/repos/:owner/:name/files?ref=      every file path at a ref
 *   /:owner/:name.git/...                        git smart HTTP (clone, fetch, push) via git-http-backend
 *   GET  /:owner/:name/raw/:ref/:path            one file
 *   GET  /:owner/:name/archive/:ref.tar.gz?path= a tarball of the tree (or a sub-directory)
 *   GET  /:owner/:name[/tree|blob/:ref/:path]    a plain HTML view, so links in the portal lead somewhere
 * Reads carry the commit SHA as ETag and honour If-None-Match, so Backstage's
 * URL reader can skip unchanged trees.
 *
 * A push that moves `refs/heads/main` is announced to the builder (what a forge's
 * webhook to CI does): POST $PAVED_BUILDER_URL/builds {owner, repo, sha}. The push
 * succeeds whether or not the builder answers; a failure to tell it is logged.
 *
 * Run with Node 22+ (type stripping): node scripts/platform/git-remote/server.ts
 */
import { spawn, execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const root = path.resolve(process.env.PAVED_GIT_ROOT ?? '.paved/run/git/repos');
const port = Number(process.env.PAVED_GIT_PORT ?? 8930);
const host = process.env.PAVED_GIT_HOST ?? '127.0.0.1';
const publicBaseUrl =
  process.env.PAVED_GIT_BASE_URL ?? `http://localhost:${port}`;

const builderUrl = process.env.PAVED_BUILDER_URL?.replace(/\/+$/, '') || '';

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function repoDir(owner: string, name: string): string {
  if (
    !NAME_PATTERN.test(owner) ||
    !NAME_PATTERN.test(name) ||
    name.endsWith('.git')
  ) {
    throw new HttpError(
      400,
      `Invalid repository "${owner}/${name}": owner and name must match ${NAME_PATTERN}`,
    );
  }
  return path.join(root, owner, `${name}.git`);
}

async function exists(dir: string): Promise<boolean> {
  return stat(dir).then(
    () => true,
    () => false,
  );
}

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', ['--git-dir', dir, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

async function resolveRef(dir: string, ref: string): Promise<string> {
  if (!/^[\w./-]+$/.test(ref) || ref.includes('..')) {
    throw new HttpError(400, `Invalid ref "${ref}"`);
  }
  try {
    return (
      await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    ).trim();
  } catch {
    throw new HttpError(404, `Ref "${ref}" not found`);
  }
}

function safeRepoPath(filePath: string): string {
  const normalized = path.posix.normalize(filePath).replace(/^\/+|\/+$/g, '');
  if (normalized.startsWith('..')) {
    throw new HttpError(400, `Invalid path "${filePath}"`);
  }
  return normalized === '.' ? '' : normalized;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

function sendHtml(res: http.ServerResponse, title: string, body: string) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(
      title,
    )}</title>` +
      '<style>body{font-family:sans-serif;margin:2rem;max-width:70rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>' +
      `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

function repoInfo(owner: string, name: string, description: string) {
  return {
    owner,
    name,
    description,
    cloneUrl: `${publicBaseUrl}/${owner}/${name}.git`,
    webUrl: `${publicBaseUrl}/${owner}/${name}`,
  };
}

async function createRepo(req: http.IncomingMessage, res: http.ServerResponse) {
  let input: { owner?: unknown; name?: unknown; description?: unknown };
  try {
    input = JSON.parse((await readBody(req)).toString('utf8') || '{}');
  } catch {
    throw new HttpError(
      400,
      'Request body must be JSON: {"owner": "...", "name": "..."}',
    );
  }
  if (typeof input.owner !== 'string' || typeof input.name !== 'string') {
    throw new HttpError(400, 'Fields "owner" and "name" are required strings');
  }
  const description =
    typeof input.description === 'string' ? input.description : '';
  const dir = repoDir(input.owner, input.name);
  if (await exists(dir)) {
    throw new HttpError(
      409,
      `Repository ${input.owner}/${input.name} already exists`,
    );
  }
  await mkdir(path.dirname(dir), { recursive: true });
  await execFileAsync('git', [
    'init',
    '--quiet',
    '--bare',
    '--initial-branch=main',
    dir,
  ]);
  await git(dir, ['config', 'http.receivepack', 'true']);
  await writeFile(path.join(dir, 'description'), `${description}\n`);
  sendJson(res, 201, repoInfo(input.owner, input.name, description));
}

async function getRepo(
  res: http.ServerResponse,
  owner: string,
  name: string,
  rest: string[],
  url: URL,
) {
  const dir = repoDir(owner, name);
  if (!(await exists(dir)))
    throw new HttpError(404, `Repository ${owner}/${name} not found`);
  if (rest[0] === 'files') {
    const sha = await resolveRef(dir, url.searchParams.get('ref') ?? 'HEAD');
    const files = (await git(dir, ['ls-tree', '-r', '--name-only', sha]))
      .split('\n')
      .filter(Boolean);
    res.setHeader('etag', `"${sha}"`);
    sendJson(res, 200, { sha, files });
    return;
  }
  const description = (
    await readFile(path.join(dir, 'description'), 'utf8')
  ).trim();
  sendJson(res, 200, repoInfo(owner, name, description));
}

/** The commit `main` points at, or '' (no such repository or branch yet). */
async function mainOf(dir: string): Promise<string> {
  try {
    return (
      await git(dir, ['rev-parse', '--verify', '--quiet', 'refs/heads/main'])
    ).trim();
  } catch {
    return '';
  }
}

/** Tells the builder that `main` of owner/name moved to sha (the CI webhook). */
async function notifyBuilder(owner: string, name: string, sha: string) {
  if (!builderUrl) return;
  const what = `${owner}/${name} main at ${sha.slice(0, 12)}`;
  try {
    const response = await fetch(`${builderUrl}/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ owner, repo: name, sha }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) {
      console.log(`Asked the builder to build ${what}`);
    } else {
      console.error(
        `The builder refused to build ${what}: ${
          response.status
        } ${await response.text()}`,
      );
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    console.error(
      `The builder at ${builderUrl} is unreachable (${
        cause ?? (error as Error).message
      }): ${what} was pushed but not built`,
    );
  }
}

/**
 * Bridges a smart-HTTP request to git-http-backend (CGI). After a push
 * (receive-pack) that moved `main`, tells the builder.
 */
async function gitHttpBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  repo: { owner: string; name: string; dir: string },
) {
  const isPush =
    req.method === 'POST' && url.pathname.endsWith('/git-receive-pack');
  const mainBefore = isPush ? await mainOf(repo.dir) : '';
  const child = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: req.headers['content-length'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      REMOTE_USER: 'paved',
    },
  });
  req.pipe(child.stdin);
  let header = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    header = Buffer.concat([header, chunk]);
    const end = header.indexOf('\r\n\r\n');
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of header.subarray(0, end).toString('utf8').split('\r\n')) {
      const [key, ...value] = line.split(':');
      if (key.toLowerCase() === 'status')
        status = parseInt(value.join(':'), 10);
      else res.setHeader(key, value.join(':').trim());
    }
    res.writeHead(status);
    res.write(header.subarray(end + 4));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('close', code => {
    if (!headersDone) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend failed (${code}): ${stderr}`);
      return;
    }
    res.end();
    if (isPush && code === 0) {
      void mainOf(repo.dir).then(mainAfter => {
        if (mainAfter && mainAfter !== mainBefore)
          return notifyBuilder(repo.owner, repo.name, mainAfter);
        return undefined;
      });
    }
  });
}

async function serveRepoContent(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  owner: string,
  name: string,
  rest: string[],
  url: URL,
) {
  const dir = repoDir(owner, name);
  if (!(await exists(dir)))
    throw new HttpError(404, `Repository ${owner}/${name} not found`);
  const [view = 'tree', ...refAndPath] = rest;

  if (view === 'archive') {
    const ref = (refAndPath[0] ?? '').replace(/\.tar\.gz$/, '');
    const sha = await resolveRef(dir, ref);
    if (req.headers['if-none-match'] === `"${sha}"`) {
      res.writeHead(304).end();
      return;
    }
    const subPath = safeRepoPath(url.searchParams.get('path') ?? '');
    const archive = spawn('git', [
      '--git-dir',
      dir,
      'archive',
      '--format=tar.gz',
      `--prefix=${name}-${sha.slice(0, 12)}/`,
      sha,
      ...(subPath ? [subPath] : []),
    ]);
    res.writeHead(200, {
      'content-type': 'application/gzip',
      etag: `"${sha}"`,
    });
    archive.stdout.pipe(res);
    return;
  }

  const ref = refAndPath[0] ?? 'HEAD';
  const filePath = safeRepoPath(refAndPath.slice(1).join('/'));
  const sha = await resolveRef(
    dir,
    ref === 'HEAD' && refAndPath.length === 0 ? 'HEAD' : ref,
  );
  const objectType = filePath
    ? (
        await git(dir, ['cat-file', '-t', `${sha}:${filePath}`]).catch(() => '')
      ).trim()
    : 'tree';
  if (!objectType) throw new HttpError(404, `${filePath} not found at ${ref}`);

  if (view === 'raw') {
    if (objectType !== 'blob')
      throw new HttpError(404, `${filePath} is not a file`);
    if (req.headers['if-none-match'] === `"${sha}"`) {
      res.writeHead(304).end();
      return;
    }
    const { stdout } = await execFileAsync(
      'git',
      ['--git-dir', dir, 'cat-file', 'blob', `${sha}:${filePath}`],
      {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      etag: `"${sha}"`,
    });
    res.end(stdout);
    return;
  }

  const title = `${owner}/${name}${filePath ? ` / ${filePath}` : ''}`;
  if (objectType === 'blob') {
    const content = await git(dir, ['cat-file', 'blob', `${sha}:${filePath}`]);
    sendHtml(
      res,
      title,
      `<p>at ${escapeHtml(ref)} (${sha.slice(0, 12)})</p><pre>${escapeHtml(
        content,
      )}</pre>`,
    );
    return;
  }
  const entries = (
    await git(dir, ['ls-tree', sha, ...(filePath ? [`${filePath}/`] : [])])
  )
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [meta, entryPath] = line.split('\t');
      const kind = meta.split(' ')[1] === 'tree' ? 'tree' : 'blob';
      return `<li><a href="/${owner}/${name}/${kind}/${encodeURIComponent(
        ref,
      )}/${entryPath}">${escapeHtml(path.posix.basename(entryPath))}${
        kind === 'tree' ? '/' : ''
      }</a></li>`;
    });
  sendHtml(
    res,
    title,
    `<p>Clone: <code>git clone ${escapeHtml(
      `${publicBaseUrl}/${owner}/${name}.git`,
    )}</code></p><ul>${entries.join('')}</ul>`,
  );
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(
    req.url ?? '/',
    `http://${req.headers.host ?? 'localhost'}`,
  );
  const segments = url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);

  if (url.pathname === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if (segments[0] === 'api' && segments[1] === 'repos') {
    if (req.method === 'POST' && segments.length === 2)
      return createRepo(req, res);
    if (req.method === 'GET' && segments.length >= 4)
      return getRepo(res, segments[2], segments[3], segments.slice(4), url);
    throw new HttpError(404, 'Unknown API route');
  }
  if (segments.length >= 2 && segments[1].endsWith('.git')) {
    const name = segments[1].slice(0, -'.git'.length);
    const dir = repoDir(segments[0], name);
    return gitHttpBackend(req, res, url, { owner: segments[0], name, dir });
  }
  if (req.method === 'GET' && segments.length >= 2) {
    return serveRepoContent(
      req,
      res,
      segments[0],
      segments[1],
      segments.slice(2),
      url,
    );
  }
  if (req.method === 'GET' && segments.length === 0) {
    const owners = await readdir(root).catch(() => [] as string[]);
    const items: string[] = [];
    for (const owner of owners) {
      for (const repo of await readdir(path.join(root, owner))) {
        const name = repo.replace(/\.git$/, '');
        items.push(
          `<li><a href="/${owner}/${name}">${escapeHtml(
            `${owner}/${name}`,
          )}</a></li>`,
        );
      }
    }
    sendHtml(
      res,
      'Paved git remote',
      `<ul>${items.join('') || '<li>No repositories yet</li>'}</ul>`,
    );
    return;
  }
  throw new HttpError(404, 'Not found');
}

await mkdir(root, { recursive: true });
const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (!res.headersSent)
      sendJson(res, status, { error: { message: (error as Error).message } });
    else res.end();
  });
});
server.listen(port, host, () => {
  console.log(
    `Paved git remote serving ${root} at ${publicBaseUrl}${
      builderUrl ? `; pushes to main go to the builder at ${builderUrl}` : ''
    }`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

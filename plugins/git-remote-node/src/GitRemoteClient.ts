import { Config } from '@backstage/config';
import { ConflictError, NotFoundError, ResponseError } from '@backstage/errors';

/** A repository on the git remote. */
export interface GitRemoteRepository {
  owner: string;
  name: string;
  description: string;
  /** URL to clone from and push to (git smart HTTP). */
  cloneUrl: string;
  /** URL of the repository's web view. */
  webUrl: string;
}

/** Where a URL on the git remote points: a repository, a ref and a path in it. */
export interface GitRemoteLocation {
  owner: string;
  name: string;
  ref: string;
  /** Path inside the repository, without leading or trailing slashes; '' is the root. */
  path: string;
}

/**
 * Talks to Paved's local git remote (scripts/platform/git-remote/server.ts):
 * creates repositories and builds and parses the URLs it serves.
 */
export class GitRemoteClient {
  static fromConfig(config: Config): GitRemoteClient | undefined {
    const remote = config.getOptionalConfig('paved.gitRemote');
    if (!remote) return undefined;
    return new GitRemoteClient(
      remote.getString('baseUrl'),
      remote.getOptionalString('owner') ?? 'paved',
    );
  }

  readonly baseUrl: string;
  readonly defaultOwner: string;

  constructor(baseUrl: string, defaultOwner: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.defaultOwner = defaultOwner;
  }

  /** Whether a URL points at this git remote. */
  owns(url: URL): boolean {
    const base = new URL(this.baseUrl);
    return url.origin === base.origin && url.pathname.startsWith(base.pathname);
  }

  async createRepository(options: {
    owner?: string;
    name: string;
    description?: string;
  }): Promise<GitRemoteRepository> {
    const response = await fetch(`${this.baseUrl}/api/repos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        owner: options.owner ?? this.defaultOwner,
        name: options.name,
        description: options.description ?? '',
      }),
    });
    if (response.status === 409) {
      throw new ConflictError(
        `Repository ${options.owner ?? this.defaultOwner}/${
          options.name
        } already exists on ${this.baseUrl}`,
      );
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as GitRemoteRepository;
  }

  async getRepository(
    owner: string,
    name: string,
  ): Promise<GitRemoteRepository> {
    const response = await fetch(
      `${this.baseUrl}/api/repos/${encodeURIComponent(
        owner,
      )}/${encodeURIComponent(name)}`,
    );
    if (response.status === 404) {
      throw new NotFoundError(
        `Repository ${owner}/${name} not found on ${this.baseUrl}`,
      );
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as GitRemoteRepository;
  }

  /**
   * The commit a ref points at and every file in it, or undefined when the
   * ref does not exist (e.g. in a repository nothing was pushed to yet).
   */
  async getTree(
    location: Omit<GitRemoteLocation, 'path'>,
  ): Promise<{ sha: string; files: string[] } | undefined> {
    const response = await fetch(this.filesUrl({ ...location, path: '' }));
    if (response.status === 404) return undefined;
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as { sha: string; files: string[] };
  }

  /** A file's text, or undefined when the repository, ref or file doesn't exist. */
  async readFile(location: GitRemoteLocation): Promise<string | undefined> {
    const response = await fetch(this.rawUrl(location));
    if (response.status === 404) return undefined;
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.text();
  }

  /** URL of a file (`blob`) or directory (`tree`) in the web view, the form catalog locations use. */
  webUrl(location: GitRemoteLocation, kind: 'blob' | 'tree'): string {
    const path = location.path ? `/${location.path}` : '';
    return `${this.baseUrl}/${location.owner}/${location.name}/${kind}/${location.ref}${path}`;
  }

  rawUrl(location: GitRemoteLocation): string {
    return `${this.baseUrl}/${location.owner}/${location.name}/raw/${location.ref}/${location.path}`;
  }

  archiveUrl(location: GitRemoteLocation): string {
    const query = location.path
      ? `?path=${encodeURIComponent(location.path)}`
      : '';
    return `${this.baseUrl}/${location.owner}/${location.name}/archive/${location.ref}.tar.gz${query}`;
  }

  filesUrl(location: GitRemoteLocation): string {
    return `${this.baseUrl}/api/repos/${location.owner}/${
      location.name
    }/files?ref=${encodeURIComponent(location.ref)}`;
  }

  /**
   * Parses `<base>/<owner>/<name>[/(blob|tree)/<ref>[/<path>]]`.
   * Refs are single path segments (branch names without slashes, tags, SHAs).
   */
  parseUrl(url: string): GitRemoteLocation {
    const parsed = new URL(url);
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    const segments = parsed.pathname
      .slice(basePath.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const [owner, rawName, kind, ref, ...path] = segments;
    if (!owner || !rawName || (kind && kind !== 'blob' && kind !== 'tree')) {
      throw new Error(
        `Not a git remote URL: ${url}; expected ${this.baseUrl}/<owner>/<repo>/(blob|tree)/<ref>/<path>`,
      );
    }
    return {
      owner,
      name: rawName.replace(/\.git$/, ''),
      ref: ref ?? 'HEAD',
      path: path.join('/'),
    };
  }
}

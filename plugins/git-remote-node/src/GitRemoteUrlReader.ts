import {
  ReadTreeResponseFactory,
  ReadUrlResponseFactory,
  ReaderFactory,
} from '@backstage/backend-defaults/urlReader';
import {
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  NotFoundError,
  NotModifiedError,
  ResponseError,
} from '@backstage/errors';
import { Minimatch } from 'minimatch';
import { GitRemoteClient } from './GitRemoteClient';

/**
 * Reads files and trees from Paved's git remote, so catalog locations and
 * TechDocs (`backstage.io/techdocs-ref: dir:.`) work for repositories that
 * "Create Service" published there.
 */
export class GitRemoteUrlReader implements UrlReaderService {
  static factory: ReaderFactory = ({ config, treeResponseFactory }) => {
    const client = GitRemoteClient.fromConfig(config);
    if (!client) return [];
    const reader = new GitRemoteUrlReader(client, treeResponseFactory);
    return [{ reader, predicate: url => client.owns(url) }];
  };

  private readonly client: GitRemoteClient;
  private readonly treeResponseFactory: ReadTreeResponseFactory;

  constructor(
    client: GitRemoteClient,
    treeResponseFactory: ReadTreeResponseFactory,
  ) {
    this.client = client;
    this.treeResponseFactory = treeResponseFactory;
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const response = await this.fetch(
      this.client.rawUrl(this.client.parseUrl(url)),
      url,
      options?.etag,
      options?.signal,
    );
    return ReadUrlResponseFactory.fromResponse(response);
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const location = this.client.parseUrl(url);
    const response = await this.fetch(
      this.client.archiveUrl(location),
      url,
      options?.etag,
      options?.signal,
    );
    return this.treeResponseFactory.fromTarArchive({
      response,
      subpath: location.path || undefined,
      etag: stripQuotes(response.headers.get('etag')),
      filter: options?.filter,
    });
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    const location = this.client.parseUrl(url);
    const response = await this.fetch(
      this.client.filesUrl(location),
      url,
      options?.etag,
      options?.signal,
    );
    const { sha, files } = (await response.json()) as {
      sha: string;
      files: string[];
    };
    const matcher = new Minimatch(location.path);
    return {
      etag: sha,
      files: files
        .filter(file => matcher.match(file))
        .map(file => {
          const fileLocation = { ...location, ref: sha, path: file };
          return {
            url: this.client.webUrl({ ...location, path: file }, 'blob'),
            content: async () => {
              const raw = await this.fetch(
                this.client.rawUrl(fileLocation),
                url,
              );
              return Buffer.from(await raw.arrayBuffer());
            },
          };
        }),
    };
  }

  toString() {
    return `git-remote{host=${this.client.baseUrl}}`;
  }

  private async fetch(
    target: string,
    requestedUrl: string,
    etag?: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const response = await fetch(target, {
      headers: etag ? { 'if-none-match': `"${etag}"` } : {},
      signal: signal as any,
    });
    if (response.status === 304) {
      throw new NotModifiedError(`${requestedUrl} is unchanged`);
    }
    if (response.status === 404) {
      throw new NotFoundError(await this.notFoundMessage(requestedUrl));
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response;
  }

  /**
   * Why `requestedUrl` is not there. A repository that vanished (deleted, or a git remote
   * started empty) is told apart from a missing file, with what to do: the catalog keeps the
   * entities it last read from it and shows this on the location's entity, it drops nothing.
   */
  private async notFoundMessage(requestedUrl: string): Promise<string> {
    const { owner, name } = this.client.parseUrl(requestedUrl);
    const repositoryGone = await this.client.getRepository(owner, name).then(
      () => false,
      error => error?.name === 'NotFoundError',
    );
    if (!repositoryGone) {
      return `${requestedUrl} not found on the git remote`;
    }
    return (
      `${requestedUrl} not found: repository ${owner}/${name} no longer exists on the git remote ` +
      `${this.client.baseUrl}. The catalog keeps what it last read from it. Restore the repository ` +
      `(push it again to ${this.client.baseUrl}/${owner}/${name}.git), or, if it is gone for good, ` +
      `unregister its location: "Unregister entity" on the component's page, or ` +
      `DELETE /api/catalog/locations/<id> (GET /api/catalog/locations lists them)`
    );
  }
}

function stripQuotes(etag: string | null): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

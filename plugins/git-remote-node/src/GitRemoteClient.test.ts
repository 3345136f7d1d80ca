import { ConfigReader } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { GitRemoteClient } from './GitRemoteClient';
import { startTestGitRemote, TestGitRemote } from './testUtils';

describe('GitRemoteClient', () => {
  let remote: TestGitRemote;
  let client: GitRemoteClient;

  beforeAll(async () => {
    remote = await startTestGitRemote();
    client = new GitRemoteClient(remote.baseUrl, 'paved');
  });
  afterAll(() => remote.stop());

  it('is absent when no git remote is configured', () => {
    expect(GitRemoteClient.fromConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('creates a repository once, then reports the conflict', async () => {
    const repo = await client.createRepository({
      name: 'cart',
      description: 'Carts',
    });
    expect(repo).toEqual({
      owner: 'paved',
      name: 'cart',
      description: 'Carts',
      cloneUrl: `${remote.baseUrl}/paved/cart.git`,
      webUrl: `${remote.baseUrl}/paved/cart`,
    });
    await expect(client.getRepository('paved', 'cart')).resolves.toMatchObject({
      name: 'cart',
    });
    await expect(client.createRepository({ name: 'cart' })).rejects.toThrow(
      ConflictError,
    );
  });

  it('reports a missing repository as NotFound', async () => {
    await expect(client.getRepository('paved', 'nothing-here')).rejects.toThrow(
      NotFoundError,
    );
  });

  it('parses and builds its URLs', () => {
    const location = client.parseUrl(
      `${remote.baseUrl}/paved/cart/blob/main/docs/index.md`,
    );
    expect(location).toEqual({
      owner: 'paved',
      name: 'cart',
      ref: 'main',
      path: 'docs/index.md',
    });
    expect(client.webUrl(location, 'blob')).toBe(
      `${remote.baseUrl}/paved/cart/blob/main/docs/index.md`,
    );
    expect(client.parseUrl(`${remote.baseUrl}/paved/cart.git`)).toEqual({
      owner: 'paved',
      name: 'cart',
      ref: 'HEAD',
      path: '',
    });
    expect(() => client.parseUrl(`${remote.baseUrl}/paved`)).toThrow(
      /Not a git remote URL/,
    );
    expect(() =>
      client.parseUrl(`${remote.baseUrl}/paved/cart/commits/main`),
    ).toThrow(/Not a git remote URL/);
  });
});

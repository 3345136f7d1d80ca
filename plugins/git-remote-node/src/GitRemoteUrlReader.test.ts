import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotFoundError, NotModifiedError } from '@backstage/errors';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitRemoteClient } from './GitRemoteClient';
import { GitRemoteUrlReader } from './GitRemoteUrlReader';
import { startTestGitRemote, TestGitRemote } from './testUtils';

const git = promisify(execFile);

async function pushFiles(cloneUrl: string, files: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paved-push-'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  const run = (...args: string[]) =>
    git(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      { cwd: dir },
    );
  await run('init', '-q', '-b', 'main');
  await run('add', '.');
  await run('commit', '-qm', 'test');
  await run('push', '-q', cloneUrl, 'main');
  const { stdout } = await run('rev-parse', 'HEAD');
  await rm(dir, { recursive: true, force: true });
  return stdout.trim();
}

describe('GitRemoteUrlReader', () => {
  let remote: TestGitRemote;
  let reader: UrlReaderService;
  let sha: string;

  beforeAll(async () => {
    remote = await startTestGitRemote();
    const config = new ConfigReader({
      paved: { gitRemote: { baseUrl: remote.baseUrl } },
    });
    reader = UrlReaders.create({
      config,
      logger: mockServices.logger.mock(),
      factories: [GitRemoteUrlReader.factory],
    });
    const client = GitRemoteClient.fromConfig(config)!;
    const repo = await client.createRepository({ name: 'orders-api' });
    sha = await pushFiles(repo.cloneUrl, {
      'catalog-info.yaml': 'kind: Component\n',
      'mkdocs.yml': 'site_name: orders-api\n',
      'docs/index.md': '# Orders\n',
      'docs/runbook.md': '# Runbook\n',
      'src/index.ts': 'export {};\n',
    });
  });

  afterAll(() => remote.stop());

  const url = (suffix: string) =>
    `${remote.baseUrl}/paved/orders-api/${suffix}`;

  it('reads a file with the commit as its etag', async () => {
    const response = await reader.readUrl(url('blob/main/catalog-info.yaml'));
    expect((await response.buffer()).toString()).toBe('kind: Component\n');
    expect(response.etag).toBe(`"${sha}"`);
  });

  it('answers NotModified when the etag still matches', async () => {
    await expect(
      reader.readUrl(url('blob/main/catalog-info.yaml'), { etag: sha }),
    ).rejects.toThrow(NotModifiedError);
  });

  it('answers NotFound for a missing file or repository', async () => {
    await expect(reader.readUrl(url('blob/main/nope.yaml'))).rejects.toThrow(
      NotFoundError,
    );
    await expect(reader.readUrl(url('blob/main/nope.yaml'))).rejects.toThrow(
      /nope\.yaml not found on the git remote$/,
    );
    // A vanished repository is told apart, with what to do (the catalog shows and logs this).
    const gone = reader.readUrl(
      `${remote.baseUrl}/paved/missing/blob/main/catalog-info.yaml`,
    );
    await expect(gone).rejects.toThrow(NotFoundError);
    await expect(gone).rejects.toThrow(
      `repository paved/missing no longer exists on the git remote ${remote.baseUrl}. ` +
        'The catalog keeps what it last read from it. Restore the repository',
    );
    await expect(gone).rejects.toThrow('DELETE /api/catalog/locations/<id>');
  });

  it('reads a directory tree, as TechDocs does for dir:.', async () => {
    const tree = await reader.readTree(url('tree/main/docs'));
    const files = await tree.files();
    const contents = Object.fromEntries(
      await Promise.all(
        files.map(async f => [f.path, (await f.content()).toString()]),
      ),
    );
    expect(contents).toEqual({
      'index.md': '# Orders\n',
      'runbook.md': '# Runbook\n',
    });
    expect(tree.etag).toBe(sha);
    await expect(
      reader.readTree(url('tree/main/docs'), { etag: sha }),
    ).rejects.toThrow(NotModifiedError);
  });

  it('reads the whole repository relative to a catalog-info.yaml location', async () => {
    // TechDocs resolves dir:. against the entity's location, giving the blob's directory.
    const dir = new URL('.', url('blob/main/catalog-info.yaml')).toString();
    const tree = await reader.readTree(dir);
    const paths = (await tree.files()).map(f => f.path).sort();
    expect(paths).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
      'docs/runbook.md',
      'mkdocs.yml',
      'src/index.ts',
    ]);
  });

  it('finds files by glob', async () => {
    const result = await reader.search(url('blob/main/docs/*.md'));
    expect(result.files.map(f => f.url).sort()).toEqual([
      url('blob/main/docs/index.md'),
      url('blob/main/docs/runbook.md'),
    ]);
    expect((await result.files[0].content()).toString()).toMatch(/^# /);
  });

  it('leaves URLs of other hosts to other readers', async () => {
    await expect(
      reader.readUrl('http://127.0.0.1:1/elsewhere.yaml'),
    ).rejects.toThrow(/not allowed/i);
  });
});

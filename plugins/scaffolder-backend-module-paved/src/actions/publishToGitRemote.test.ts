import { ConflictError } from '@backstage/errors';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import {
  startTestGitRemote,
  TestGitRemote,
} from '@paved/plugin-git-remote-node/testUtils';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  exampleInputs,
  mockActionContext,
} from '@paved/plugin-scaffolder-node/testUtils';
import { examples } from './publishToGitRemote.examples';
import { createPublishToGitRemoteAction } from './publishToGitRemote';

const exec = promisify(execFile);

describe('paved:git-remote:publish', () => {
  let remote: TestGitRemote;
  let client: GitRemoteClient;
  let workspacePath: string;

  beforeAll(async () => {
    remote = await startTestGitRemote();
    client = new GitRemoteClient(remote.baseUrl, 'paved');
  });
  afterAll(() => remote.stop());

  beforeEach(async () => {
    workspacePath = await mkdtemp(path.join(os.tmpdir(), 'paved-workspace-'));
    await mkdir(path.join(workspacePath, 'docs'));
    await writeFile(
      path.join(workspacePath, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    await writeFile(path.join(workspacePath, 'docs', 'index.md'), '# Hello\n');
  });
  afterEach(() => rm(workspacePath, { recursive: true, force: true }));

  const action = () =>
    createPublishToGitRemoteAction({
      client,
      defaultAuthor: { name: 'Paved', email: 'paved@acme.example' },
    });

  it('creates the repository and pushes the workspace to main', async () => {
    const context = mockActionContext({
      input: { name: 'inventory', description: 'Stock levels' },
      workspacePath,
    });
    await action().handler(context);

    expect(context.output).toHaveBeenCalledWith(
      'remoteUrl',
      `${remote.baseUrl}/paved/inventory`,
    );
    expect(context.output).toHaveBeenCalledWith(
      'cloneUrl',
      `${remote.baseUrl}/paved/inventory.git`,
    );
    expect(context.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `${remote.baseUrl}/paved/inventory/tree/main`,
    );
    const { stdout } = await exec('git', [
      'ls-remote',
      `${remote.baseUrl}/paved/inventory.git`,
    ]);
    const mainLine = stdout
      .split('\n')
      .find(line => line.endsWith('\trefs/heads/main'));
    expect(mainLine).toBeDefined();
    expect(context.output).toHaveBeenCalledWith(
      'commitHash',
      mainLine!.split('\t')[0],
    );

    const files = await fetch(
      `${remote.baseUrl}/api/repos/paved/inventory/files?ref=main`,
    );
    expect((await files.json()).files).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
    ]);
  });

  it('refuses a name that already has a repository, saying what to do', async () => {
    await client.createRepository({ name: 'taken' });
    const context = mockActionContext({
      input: { name: 'taken' },
      workspacePath,
    });
    const run = action().handler(context);
    await expect(run).rejects.toThrow(ConflictError);
    await expect(run).rejects.toThrow(/already exists.*Choose another name/);
  });

  it('resumes an earlier run: pushes into its empty repository, and keeps one that has content', async () => {
    await client.createRepository({ name: 'half-done' });
    const first = mockActionContext({
      input: { name: 'half-done', resume: true },
      workspacePath,
    });
    await action().handler(first);
    const pushed = await client.getTree({
      owner: 'paved',
      name: 'half-done',
      ref: 'main',
    });
    expect(pushed?.files).toEqual(['catalog-info.yaml', 'docs/index.md']);

    await writeFile(path.join(workspacePath, 'extra.txt'), 'later\n');
    const again = mockActionContext({
      input: { name: 'half-done', resume: true },
      workspacePath,
    });
    await action().handler(again);
    expect(again.output).toHaveBeenCalledWith('commitHash', pushed!.sha);
    const kept = await client.getTree({
      owner: 'paved',
      name: 'half-done',
      ref: 'main',
    });
    expect(kept).toEqual(pushed);
  });

  it('creates nothing in a dry run', async () => {
    // createMockActionContext drops isDryRun, so set it on the result.
    const context = {
      ...mockActionContext({ input: { name: 'dry-one' }, workspacePath }),
      isDryRun: true,
    };
    await action().handler(context);
    expect(context.output).toHaveBeenCalledWith(
      'remoteUrl',
      `${remote.baseUrl}/paved/dry-one`,
    );
    await expect(client.getRepository('paved', 'dry-one')).rejects.toThrow(
      /not found/,
    );
  });

  it('publishes only the sourcePath when given, and refuses one outside the workspace', async () => {
    const context = mockActionContext({
      input: { name: 'just-docs', sourcePath: 'docs', defaultBranch: 'trunk' },
      workspacePath,
    });
    await action().handler(context);
    const files = await fetch(
      `${remote.baseUrl}/api/repos/paved/just-docs/files?ref=trunk`,
    );
    expect((await files.json()).files).toEqual(['index.md']);

    const escaping = mockActionContext({
      input: { name: 'escape', sourcePath: '../..' },
      workspacePath,
    });
    await expect(action().handler(escaping)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^sourcePath: .*inside the workspace/),
    });
  });

  it.each(exampleInputs(examples, 'paved:git-remote:publish', {}))(
    'runs its example: %s',
    async (_description, input) => {
      const context = mockActionContext({
        input: input as any,
        workspacePath,
      });
      await action().handler(context);
      const owner = (input.owner as string | undefined) ?? 'paved';
      expect(context.output).toHaveBeenCalledWith(
        'remoteUrl',
        `${remote.baseUrl}/${owner}/${input.name}`,
      );
    },
  );
});

import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './__testUtils__/helpers';

// The Create Service skeletons, rendered the way the template renders them:
// Backstage's real fetch:template, twice into one workspace (the shared
// skeleton, then the chosen language), and then their own tests run.

const templateDir = path.join(repoRoot, 'templates/create-service');
const languages = ['typescript', 'go', 'python'] as const;
type Language = (typeof languages)[number];

/** Files each language must render, besides the shared ones. */
const expectedFiles: Record<Language, string[]> = {
  typescript: [
    'package.json',
    'tsconfig.json',
    'src/index.ts',
    'src/server.ts',
    'src/metrics.ts',
    'src/server.test.ts',
    'src/database.ts',
  ],
  go: [
    'go.mod',
    'go.sum',
    'main.go',
    'server.go',
    'metrics.go',
    'config.go',
    'database.go',
    'server_test.go',
  ],
  python: [
    'pyproject.toml',
    'app/__init__.py',
    'app/__main__.py',
    'app/main.py',
    'app/server.py',
    'app/metrics.py',
    'app/database.py',
    'tests/test_server.py',
  ],
};
const commonFiles = [
  'README.md',
  'catalog-info.yaml',
  'mkdocs.yml',
  'docs/index.md',
  'docs/runbook.md',
  'deploy/kubernetes/deployment.yaml',
  'Dockerfile',
  '.gitignore',
  '.github/workflows/ci.yaml',
];

/**
 * The images each Dockerfile builds FROM, in order: the names of the base images
 * the local platform builds and serves (scripts/platform/lib/images.sh), which
 * are also the public images a company's CI pulls.
 */
const baseImages: Record<Language, string[]> = {
  typescript: ['node:22-bookworm-slim', 'node:22-bookworm-slim'],
  go: ['golang:1.24-bookworm', 'gcr.io/distroless/static-debian12:nonroot'],
  python: ['python:3.11-slim-bookworm', 'python:3.11-slim-bookworm'],
};

/**
 * Each skeleton's one dependency is its language's Prometheus client library
 * (/metrics). Its tests get it without a network when it was fetched once:
 * - TypeScript: prom-client from the repo's own node_modules (the backend's
 *   devDependency at the skeleton's version), linked into the rendered
 *   service;
 * - Go: client_golang through the Go module proxy into the module cache
 *   (GOFLAGS=-mod=readonly: go.sum as the skeleton pins it), no toolchain
 *   download;
 * - Python: prometheus-client from PyPI into
 *   $PAVED_CACHE/python-packages/prometheus-client-<version>, on PYTHONPATH.
 */
const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' };
const cacheDir = process.env.PAVED_CACHE ?? '/var/cache/paved';

async function pythonDependencies(dir: string): Promise<string> {
  const pyproject = await readFile(path.join(dir, 'pyproject.toml'), 'utf8');
  const pin = /"prometheus-client==([\d.]+)"/.exec(pyproject);
  if (!pin) throw new Error('pyproject.toml does not pin prometheus-client');
  const target = path.join(
    cacheDir,
    'python-packages',
    `prometheus-client-${pin[1]}`,
  );
  if (!existsSync(path.join(target, 'prometheus_client'))) {
    await run(dir, 'python3', [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-compile',
      '--disable-pip-version-check',
      '--target',
      target,
      `prometheus-client==${pin[1]}`,
    ]);
  }
  return target;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(e => e.isFile())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
    .map(f => f.split(path.sep).join('/'))
    .sort();
}

/** Runs a command; on failure, throws with everything it printed. */
function run(
  cwd: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        env: { ...process.env, ...env },
        timeout: 100_000, // below the tests' own timeouts, so a hang shows its output
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) {
          reject(
            new Error(
              `\`${command} ${args.join(' ')}\` failed in ${cwd} (${
                error.code ?? error.signal
              }):\n${output}`,
            ),
          );
        } else {
          resolve(output);
        }
      },
    );
  });
}

describe('Create Service skeletons', () => {
  const config = new ConfigReader({});
  const action = createFetchTemplateAction({
    reader: UrlReaders.default({ config, logger: mockServices.logger.mock() }),
    integrations: ScmIntegrations.fromConfig(config),
  });
  const workspaces: string[] = [];
  afterAll(() =>
    Promise.all(workspaces.map(w => rm(w, { recursive: true, force: true }))),
  );

  /** The template's two fetch:template steps, into one fresh workspace. */
  async function render(
    language: Language,
    description = 'Keeps track of orders',
  ): Promise<string> {
    const workspacePath = await mkdtemp(
      path.join(os.tmpdir(), `paved-skeleton-${language}-`),
    );
    workspaces.push(workspacePath);
    const values = {
      name: 'orders-api',
      owner: 'group:default/storefront-team',
      description,
      system: '',
      language,
      database: 'postgres',
      tier: 'standard',
    };
    for (const url of ['./skeleton', `./languages/${language}`]) {
      const context = createMockActionContext({
        input: { url, values, copyWithoutTemplating: ['.github/workflows/*'] },
        workspacePath,
        templateInfo: {
          entityRef: 'template:default/create-service',
          baseUrl: `file://${path.join(templateDir, 'template.yaml')}`,
        },
      });
      // As in the scaffolder, the fetched template goes to a scratch
      // directory outside the workspace (the mock would use the workspace).
      context.createTemporaryDirectory = async () => {
        const scratch = await mkdtemp(path.join(os.tmpdir(), 'paved-fetch-'));
        workspaces.push(scratch);
        return scratch;
      };
      await action.handler(context);
    }
    if (language === 'typescript') {
      await symlink(
        path.join(repoRoot, 'node_modules'),
        path.join(workspacePath, 'node_modules'),
      );
    }
    return workspacePath;
  }

  it('keeps shared and language files apart, so neither step skips a file', async () => {
    const shared = await listFiles(path.join(templateDir, 'skeleton'));
    for (const language of languages) {
      const own = await listFiles(
        path.join(templateDir, 'languages', language),
      );
      expect(own.filter(f => shared.includes(f))).toEqual([]);
    }
  });

  describe.each(languages)('%s', language => {
    let dir: string;
    let files: string[];
    beforeAll(async () => {
      dir = await render(language);
      files = await listFiles(dir);
    });

    it('renders every file of the shared skeleton and of the language', () => {
      expect(files).toEqual(
        expect.arrayContaining([...commonFiles, ...expectedFiles[language]]),
      );
    });

    it('leaves no template expression outside the workflows', async () => {
      const leftovers: string[] = [];
      for (const file of files) {
        if (file.startsWith('.github/workflows/')) continue;
        const text = await readFile(path.join(dir, file), 'utf8');
        if (/\$\{\{|\{%|\{#/.test(text)) leftovers.push(file);
      }
      expect(leftovers).toEqual([]);
      // The workflows are copied as they are: GitHub expressions survive.
      expect(
        await readFile(path.join(dir, '.github/workflows/ci.yaml'), 'utf8'),
      ).toContain('${{ github.sha }}');
    });

    it('documents the commands of its language', async () => {
      const docs = await readFile(path.join(dir, 'docs/index.md'), 'utf8');
      const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
      const command = {
        typescript: 'npm test',
        go: 'go test ./...',
        python: 'python3 -m unittest discover -s tests',
      }[language];
      for (const text of [docs, readme]) {
        expect(text).toContain(command);
        // The {% if %} tags leave no blank line at the top of the block.
        expect(text).toMatch(/```sh\n\S/);
      }
      const otherCommands = ['npm test', 'go test', 'unittest'].filter(
        other => !command.includes(other),
      );
      for (const other of otherCommands) {
        expect(docs).not.toContain(other);
        expect(readme).not.toContain(other);
      }
    });

    it('builds its image from the local base images, stamped with the commit it comes from', async () => {
      const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
      expect(
        [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map(m => m[1]),
      ).toEqual(baseImages[language]);
      // The runtime stage takes GIT_COMMIT into its environment; /healthz reports it.
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      expect(runtime).toMatch(/^ARG GIT_COMMIT$/m);
      expect(runtime).toMatch(/^ENV GIT_COMMIT=\$\{GIT_COMMIT\}$/m);
      const ci = await readFile(
        path.join(dir, '.github/workflows/ci.yaml'),
        'utf8',
      );
      expect(ci).toContain(
        'docker build --build-arg GIT_COMMIT=${{ github.sha }} ',
      );
    });

    it('serves a description with quotes, backslashes and accents as it was typed', async () => {
      const description = 'Tracks "orders" \\ and café refunds';
      const tricky = await render(language, description);
      const printed = {
        // Imports the rendered server and asks it for its root.
        typescript: () =>
          run(tricky, process.execPath, [
            '--experimental-strip-types',
            '--no-warnings',
            '--input-type=module',
            '-e',
            `const { createServer } = await import('./src/server.ts');
             const server = createServer();
             await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
             const response = await fetch('http://127.0.0.1:' + server.address().port + '/');
             console.log((await response.json()).description);
             server.close();`,
          ]),
        go: async () => {
          await writeFile(
            path.join(tricky, 'description_test.go'),
            'package main\n\nimport "testing"\n\n' +
              'func TestDescription(t *testing.T) { println(serviceDescription) }\n',
          );
          const args = ['test', '-v', '-run', '^TestDescription$', '.'];
          return run(tricky, 'go', args, goEnv);
        },
        python: async () =>
          run(
            tricky,
            'python3',
            ['-c', 'import app; print(app.SERVICE_DESCRIPTION)'],
            { PYTHONPATH: await pythonDependencies(tricky) },
          ),
      }[language];
      expect((await printed()).split('\n')).toContain(description);
    }, 120_000);

    if (language === 'typescript') {
      it('names the service in package.json and passes its own tests', async () => {
        const pkg = JSON.parse(
          await readFile(path.join(dir, 'package.json'), 'utf8'),
        );
        expect(pkg).toMatchObject({
          name: 'orders-api',
          description: 'Keeps track of orders',
        });
        expect(pkg.dependencies).toEqual({ 'prom-client': expect.any(String) });
        // The skeleton's tests need no install: Node strips the types, and
        // prom-client is the repo's own (linked by render()).
        const tests = files.filter(f => f.endsWith('.test.ts'));
        await run(dir, process.execPath, [
          '--experimental-strip-types',
          '--no-warnings',
          '--test',
          ...tests,
        ]);
      }, 120_000);
    }

    if (language === 'go') {
      it('is gofmt-ed, vets clean and passes go test', async () => {
        expect(await run(dir, 'go', ['mod', 'edit', '-json'], goEnv)).toContain(
          '"Path": "paved.dev/services/orders-api"',
        );
        expect(await run(dir, 'gofmt', ['-l', '.'], goEnv)).toBe('');
        await run(dir, 'go', ['vet', './...'], goEnv);
        const output = await run(
          dir,
          'go',
          ['test', '-count=1', './...'],
          goEnv,
        );
        expect(output).toMatch(/^ok\s/m);
      }, 180_000);
    }

    if (language === 'python') {
      it('names the service and passes its unittest suite', async () => {
        expect(
          await readFile(path.join(dir, 'pyproject.toml'), 'utf8'),
        ).toContain('name = "orders-api"');
        const output = await run(
          dir,
          'python3',
          ['-m', 'unittest', 'discover', '-s', 'tests', '-v'],
          {
            PYTHONDONTWRITEBYTECODE: '1',
            PYTHONPATH: await pythonDependencies(dir),
          },
        );
        expect(output).toMatch(/^OK$/m);
      }, 120_000);
    }
  });
});

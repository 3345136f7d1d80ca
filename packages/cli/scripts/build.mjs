// Bundles the CLI into one CommonJS file with its dependencies (commander,
// yaml, the deployments API's generated contract), so the packed tarball
// installs with `npm install -g` and starts by reading one file.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);
await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  outfile: new URL('../dist/paved.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: false,
  legalComments: 'none',
  define: { PAVED_CLI_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});

// prepack / postpack: the tarball's package.json declares no dependencies, because
// dist/paved.js bundles them (commander, yaml, the deployments API's generated
// contract, which is a private workspace package). The workspace's package.json keeps
// them as dependencies, so lint checks every import; postpack puts it back.
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const saved = new URL('../package.json.packing', import.meta.url);
if (process.argv[2] === 'pre') {
  copyFileSync(manifest, saved);
  const { dependencies, devDependencies, scripts, ...rest } = JSON.parse(
    readFileSync(manifest, 'utf8'),
  );
  writeFileSync(
    manifest,
    `${JSON.stringify(
      { ...rest, scripts: { postpack: scripts.postpack } },
      null,
      2,
    )}\n`,
  );
} else {
  renameSync(saved, manifest);
}

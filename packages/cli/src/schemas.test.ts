import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The --json schemas (schemas/*.json) are generated from the deployments
// API's openapi.yaml by scripts/schemas.mjs; committed files that no longer
// match it fail here, naming the files and the command that regenerates them.
describe('schemas/*.json', () => {
  it('match openapi.yaml (node packages/cli/scripts/schemas.mjs regenerates them)', () => {
    const check = spawnSync(
      process.execPath,
      [path.resolve(__dirname, '..', 'scripts', 'schemas.mjs'), '--check'],
      { encoding: 'utf8' },
    );
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

// A golden-path backend (startGoldenPathBackend) in a process of its own, so that a test can
// kill it as a crash would: nothing of it runs on, records anything or cleans anything up.
// Started by startPortalProcess (portalProcessClient.ts) with node and Backstage's TypeScript
// transform; its options come in PAVED_TEST_PORTAL_OPTIONS, and it prints one line
// `PORTAL_READY <base URL>` once its catalog has the template.
import { startGoldenPathBackend } from './createServiceRun';
import type { TestBuilder } from './testBuilder';

const READY = 'PORTAL_READY';

async function main() {
  const options = JSON.parse(process.env.PAVED_TEST_PORTAL_OPTIONS ?? '{}');
  // The test tells the builder where this backend is (it knows the port once this prints).
  const builder = { reportTo: async () => undefined } as unknown as TestBuilder;
  const portal = await startGoldenPathBackend({ ...options, builder });
  process.stdout.write(`${READY} ${portal.base}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});

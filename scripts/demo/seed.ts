/*
 * Seeds the demo organization's running services through Paved's own APIs
 * (scripts/demo/seeder.ts says what and how). `scripts/paved start` runs it in
 * the background once the portal answers; log: $PAVED_RUN/logs/demo-seed.log.
 *
 *   node scripts/demo/seed.ts --backend http://localhost:7007 --git http://127.0.0.1:8930
 *
 * Node 22 strips the types.
 */
import { parseArgs } from 'node:util';
import { DemoSeeder } from './seeder.ts';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function main() {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'http://localhost:7007' },
      git: { type: 'string', default: 'http://127.0.0.1:8930' },
      'ready-timeout': { type: 'string', default: '900' },
    },
  });
  const backend = values.backend!.replace(/\/+$/, '');
  const deadline = Date.now() + Number(values['ready-timeout']) * 1000;
  // The portal answers, and the catalog has the template and the demo org.
  const seeder = new DemoSeeder(backend, values.git!.replace(/\/+$/, ''));
  for (;;) {
    try {
      const ready = await fetch(`${backend}/.backstage/health/v1/readiness`);
      const template = await fetch(
        `${backend}/api/catalog/entities/by-name/template/default/create-service`,
        { headers: { authorization: `Bearer ${await seeder.token('guest')}` } },
      );
      if (ready.ok && template.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${backend} did not get ready`);
    await sleep(2000);
  }
  seeder.resetTokens();
  await seeder.seed();
}

main().catch(error => {
  process.stderr.write(`[demo] failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});

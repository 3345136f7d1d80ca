import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import http from 'node:http';
import { checkDatabase, ScramClient } from './database.ts';
import { createMetrics, instrument } from './metrics.ts';
import { createServer, loadConfig, parseSecretVersions } from './server.ts';

const server = createServer({
  // Port 9 on loopback: nothing listens, so the database is unreachable, fast.
  databaseUrl: 'postgres://user:secret@127.0.0.1:9/orders',
  version: '3f9c2a1',
  secretVersions: { app: 1, 'env/staging': 3 },
});
let baseUrl = '';

before(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('GET /healthz answers ok with the version it runs', async () => {
  const response = await fetch(`${baseUrl}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok', version: '3f9c2a1' });
});

test('GET /healthz says "dev" when no version is set', async t => {
  const unversioned = createServer();
  await new Promise<void>(resolve => unversioned.listen(0, '127.0.0.1', resolve));
  t.after(() => unversioned.close());
  const response = await fetch(`http://127.0.0.1:${(unversioned.address() as AddressInfo).port}/healthz`);
  assert.deepEqual(await response.json(), { status: 'ok', version: 'dev' });
});

test('GET /readyz answers ready and says whether a database is configured, never its URL', async () => {
  const response = await fetch(`${baseUrl}/readyz`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.deepEqual(JSON.parse(text), { status: 'ready', database: 'configured' });
  assert.ok(!text.includes('secret'));
});

test('GET /info reports the versions of its secrets and whether the database answers, never a value', async () => {
  const response = await fetch(`${baseUrl}/info`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.deepEqual(JSON.parse(text), {
    service: '${{ values.name }}',
    version: '3f9c2a1',
    secretVersions: { app: 1, 'env/staging': 3 },
    database: 'unreachable (ECONNREFUSED)',
  });
  assert.ok(!text.includes('secret@'));
});

test('GET /database is 503 naming the cause while the database does not answer, counted as an error of its route', async () => {
  const metrics = createMetrics();
  const withDatabase = createServer({ databaseUrl: 'postgres://user:secret@127.0.0.1:9/orders' }, metrics);
  await new Promise<void>(resolve => withDatabase.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(withDatabase.address() as AddressInfo).port}`;
  try {
    const response = await fetch(`${url}/database`);
    assert.equal(response.status, 503);
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), {
      error: 'The database does not answer: unreachable (ECONNREFUSED)',
      database: 'unreachable (ECONNREFUSED)',
    });
    assert.ok(!text.includes('secret'));
    assert.match(await metrics.registry.metrics(), /^http_requests_total\{route="\/database",method="GET",code="503"\} 1$/m);
  } finally {
    withDatabase.close();
  }
});

test('GET /database is 404 when the service has no database', async t => {
  const without = createServer();
  await new Promise<void>(resolve => without.listen(0, '127.0.0.1', resolve));
  t.after(() => without.close());
  const response = await fetch(`http://127.0.0.1:${(without.address() as AddressInfo).port}/database`);
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), { error: 'No database: DATABASE_URL is not set' });
});

test('secret versions are read from the pod annotation; anything else is left out', () => {
  assert.deepEqual(parseSecretVersions('app=1,database=2,env/staging=12'), {
    app: 1,
    database: 2,
    'env/staging': 12,
  });
  assert.deepEqual(parseSecretVersions(''), {});
  assert.deepEqual(parseSecretVersions('app=x,=3,env/staging'), {});
});

test('the database check says "not configured" without a URL', async () => {
  assert.equal(await checkDatabase(undefined), 'not configured');
});

test('SCRAM-SHA-256 computes the proof and checks the server as RFC 7677 does', () => {
  const client = new ScramClient('pencil', 'rOprNGfwEbeRWgbNEkqO', 'user');
  assert.equal(client.clientFirst(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  assert.equal(
    client.clientFinal('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  );
  assert.ok(client.verifyServer('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
  assert.ok(!client.verifyServer('v=AAAA'));
});

test('GET / names the service', async () => {
  const response = await fetch(`${baseUrl}/`);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).service, '${{ values.name }}');
});

test('unknown routes are 404, other methods 405', async () => {
  assert.equal((await fetch(`${baseUrl}/nope`)).status, 404);
  assert.equal((await fetch(`${baseUrl}/healthz`, { method: 'POST' })).status, 405);
});

test('config comes from the environment', () => {
  assert.deepEqual(loadConfig({}), { port: 8080, databaseUrl: undefined, version: 'dev', secretVersions: {} });
  assert.deepEqual(
    loadConfig({
      PORT: '9090',
      DATABASE_URL: 'postgres://db',
      GIT_COMMIT: '3f9c2a1',
      PAVED_SECRET_VERSIONS: 'app=1,env/staging=3',
    }),
    { port: 9090, databaseUrl: 'postgres://db', version: '3f9c2a1', secretVersions: { app: 1, 'env/staging': 3 } },
  );
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be a port number/);
});

test('logs JSON lines, reports GIT_COMMIT and exits 0 on SIGTERM', async t => {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', 'src/index.ts'], {
    env: { ...process.env, PORT: '0', DATABASE_URL: 'postgres://user:secret@db/orders', GIT_COMMIT: '3f9c2a1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Should an assertion fail before the SIGTERM, do not leave the server running.
  t.after(() => child.kill('SIGKILL'));
  const lines: Array<Record<string, unknown>> = [];
  const exited = once(child, 'exit');
  for await (const line of createInterface({ input: child.stdout })) {
    assert.ok(!line.includes('secret'), `the database URL was logged: ${line}`);
    lines.push(JSON.parse(line));
    if (lines.at(-1)?.msg === 'listening') {
      const port = lines.at(-1)?.port;
      assert.equal(lines.at(-1)?.version, '3f9c2a1');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', version: '3f9c2a1' });
      child.kill('SIGTERM');
    }
  }
  const [code] = await exited;
  assert.equal(code, 0);
  assert.deepEqual(
    lines.map(l => l.msg),
    ['listening', 'shutting down', 'stopped'],
  );
});

test('GET /metrics counts and times each route in the Prometheus text format', async () => {
  const metrics = createMetrics();
  const counted = createServer({}, metrics);
  await new Promise<void>(resolve => counted.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(counted.address() as AddressInfo).port}`;
  try {
    await fetch(`${url}/healthz`);
    await fetch(`${url}/healthz`);
    await fetch(`${url}/random/path/123`);
    await fetch(`${url}/healthz`, { method: 'POST' });
    const response = await fetch(`${url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# TYPE http_requests_total counter$/m);
    assert.match(text, /^http_requests_total\{route="\/healthz",method="GET",code="200"\} 2$/m);
    assert.match(text, /^http_requests_total\{route="\/healthz",method="POST",code="405"\} 1$/m);
    // Unknown paths share one series: no label per URL.
    assert.match(text, /^http_requests_total\{route="unmatched",method="GET",code="404"\} 1$/m);
    assert.ok(!text.includes('/random/path'));
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="\+Inf",route="\/healthz",method="GET",code="200"\} 2$/m);
    assert.match(text, /^http_request_duration_seconds_count\{route="\/healthz",method="GET",code="200"\} 2$/m);
    // /metrics itself is not counted; the runtime's own metrics are there.
    assert.ok(!/route="\/metrics"/.test(text));
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  } finally {
    counted.close();
  }
});

test('a route that throws is answered 500 and counted as an error', async t => {
  const metrics = createMetrics();
  const failing = http.createServer(
    instrument(metrics, '/orders', () => {
      throw new Error('database unreachable');
    }),
  );
  await new Promise<void>(resolve => failing.listen(0, '127.0.0.1', resolve));
  t.after(() => failing.close());
  const response = await fetch(`http://127.0.0.1:${(failing.address() as AddressInfo).port}/orders`);
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), { error: 'Internal error' });
  const text = await metrics.registry.metrics();
  assert.match(text, /^http_requests_total\{route="\/orders",method="GET",code="500"\} 1$/m);
  assert.match(text, /^http_request_duration_seconds_count\{route="\/orders",method="GET",code="500"\} 1$/m);
});

import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer } from './server.ts';

const server = createServer();
let baseUrl = '';

before(async () => {
  await new Promise<void>(resolve => server.listen(0, resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('GET /healthz answers ok', async () => {
  const response = await fetch(`${baseUrl}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok', service: '${{ values.name }}' });
});

test('unknown routes are 404', async () => {
  const response = await fetch(`${baseUrl}/nope`);
  assert.equal(response.status, 404);
});

/**
 * @jest-environment node
 */
import { LogLine } from '@paved/plugin-deployments-common';
import { DeploymentsClient } from './DeploymentsClient';
import { LogStreamFailedError, NdjsonLines } from './ndjson';

const line = (text: string, pod = 'orders-api-1'): LogLine => ({
  time: '2026-11-29T03:00:00.000000001Z',
  pod,
  container: 'orders-api',
  text,
});
const ndjson = (...items: unknown[]) =>
  items.map(item => `${JSON.stringify(item)}\n`).join('');

/** A client whose fetch answers a stream of these chunks, one a macrotask. */
function clientStreaming(chunks: Array<string | Uint8Array>) {
  const encoder = new TextEncoder();
  const fetch = jest.fn(async (_url: string, init?: RequestInit) => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise(resolve => setTimeout(resolve, 1));
        if (init?.signal?.aborted) {
          controller.error(init.signal.reason);
        } else if (i < chunks.length) {
          const chunk = chunks[i++];
          controller.enqueue(
            typeof chunk === 'string' ? encoder.encode(chunk) : chunk,
          );
        } else {
          controller.close();
        }
      },
    });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
    });
  });
  const client = new DeploymentsClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch };
}

describe('NdjsonLines', () => {
  it('keeps a partial line for the next chunk, and a UTF-8 character split across chunks', () => {
    const all = ndjson(line('first'), line('zweite Zeile – ü'));
    const bytes = new TextEncoder().encode(all);
    const cut = all.indexOf('ü') + 1; // inside the two bytes of ü (after the dash's three)
    const split = new NdjsonLines<LogLine>();
    expect(split.push(bytes.slice(0, 10))).toEqual([]);
    expect(split.push(bytes.slice(10, cut + 2))).toEqual([line('first')]);
    expect(split.push(bytes.slice(cut + 2))).toEqual([
      line('zweite Zeile – ü'),
    ]);
    expect(split.end()).toEqual([]);
  });

  it('parses a last line without its newline at the end, and skips blank lines', () => {
    const split = new NdjsonLines<LogLine>();
    expect(split.push(`\n${JSON.stringify(line('a'))}\n\n`)).toEqual([
      line('a'),
    ]);
    expect(split.push(JSON.stringify(line('b')))).toEqual([]);
    expect(split.end()).toEqual([line('b')]);
  });
});

describe('DeploymentsClient.readLogs', () => {
  it('asks for the query and hands over lines chunk by chunk, whole lines only', async () => {
    const all = ndjson(line('one'), line('two'), line('three'));
    const second = all.indexOf('\n') + 1;
    const { client, fetch } = clientStreaming([
      all.slice(0, 30),
      all.slice(30, second + 30),
      all.slice(second + 30),
    ]);
    const batches: string[][] = [];
    await client.readLogs(
      'component:default/orders-api',
      'staging',
      { pod: 'orders-api-1', since: '15m', follow: true },
      lines => batches.push(lines.map(l => l.text)),
    );
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/deployments/entities/component/default/orders-api/environments/staging/logs?pod=orders-api-1&since=15m&follow=true',
    );
    expect(batches.flat()).toEqual(['one', 'two', 'three']);
    expect(batches).toEqual([['one'], ['two', 'three']]);
  });

  it("rejects with the backend's error line, after the lines before it", async () => {
    const { client } = clientStreaming([
      ndjson(line('before'), {
        error: { name: 'ServiceUnavailableError', message: 'kubelet gone' },
      }),
    ]);
    const texts: string[] = [];
    const read = client.readLogs(
      'component:default/orders-api',
      'staging',
      {},
      lines => texts.push(...lines.map(l => l.text)),
    );
    await expect(read).rejects.toThrow(LogStreamFailedError);
    await expect(read).rejects.toThrow('kubelet gone');
    expect(texts).toEqual(['before']);
  });

  it('resolves when the signal aborts a followed stream', async () => {
    const chunks = Array.from({ length: 1000 }, (_, i) =>
      ndjson(line(`l${i}`)),
    );
    const { client } = clientStreaming(chunks);
    const stop = new AbortController();
    let seen = 0;
    await client.readLogs(
      'component:default/orders-api',
      'staging',
      { follow: true, signal: stop.signal },
      lines => {
        seen += lines.length;
        if (seen >= 3) stop.abort();
      },
    );
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(seen).toBeLessThan(1000);
  });
});

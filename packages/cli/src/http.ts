import http from 'node:http';
import https from 'node:https';

/** What a request sends: the subset of fetch's RequestInit the CLI uses. */
export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** An answer, read like fetch's Response: status, headers, text/json, or the body as a stream. */
export interface HttpResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  body: AsyncIterable<Uint8Array>;
}

/**
 * One HTTP(S) request with node:http, not the global fetch: fetch loads
 * undici on first use, which at ~200 ms was most of a `paved status`
 * (docs/benchmarks.md). Errors are fetch's: a failed connection rejects with
 * `cause` (ECONNREFUSED…), an aborted one with an AbortError.
 */
export function request(
  url: string,
  init: HttpRequestInit = {},
): Promise<HttpResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: init.method ?? 'GET',
        headers: {
          ...init.headers,
          ...(init.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(init.body)) }
            : {}),
        },
        signal: init.signal,
      },
      res => {
        const status = res.statusCode ?? 0;
        let consumed: Promise<string> | undefined;
        const text = () =>
          (consumed ??= (async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of res) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          })());
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? '',
          headers: {
            get: name => {
              const value = res.headers[name.toLowerCase()];
              if (value === undefined) return null;
              return Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text,
          json: async () => JSON.parse(await text()),
          body: res,
        });
      },
    );
    req.on('error', error => {
      if (error.name === 'AbortError') {
        reject(error);
        return;
      }
      reject(
        Object.assign(new Error(`request to ${target.origin} failed`), {
          cause: error,
        }),
      );
    });
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

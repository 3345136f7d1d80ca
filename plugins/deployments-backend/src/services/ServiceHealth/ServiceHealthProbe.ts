import { ServiceHealth } from '@paved/plugin-deployments-common';
import http from 'node:http';
import https from 'node:https';
import { LookupFunction } from 'node:net';
import dns from 'node:dns';

/** Asks a running service how it is, at its URL. */
export interface ServiceHealthProbe {
  probe(url: string): Promise<ServiceHealth>;
}

/**
 * `*.localhost` names are loopback (RFC 6761), as browsers and curl treat
 * them, though the system resolver may not know them.
 */
const lookupWithLocalhost: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if ((options as dns.LookupOptions).all) {
      (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [
        { address: '127.0.0.1', family: 4 },
      ]);
    } else {
      callback(null, '127.0.0.1', 4);
    }
    return;
  }
  dns.lookup(hostname, options, callback);
};

/**
 * GETs `<url>/healthz`, as Kubernetes' liveness probe of the golden path
 * does, with a short timeout; the skeletons answer
 * `{"status":"ok","version":"<commit>"}`.
 */
export class HttpServiceHealthProbe implements ServiceHealthProbe {
  constructor(private readonly timeoutMs = 2000) {}

  probe(url: string): Promise<ServiceHealth> {
    const target = new URL('healthz', url.endsWith('/') ? url : `${url}/`);
    const checkedAt = new Date().toISOString();
    const client = target.protocol === 'https:' ? https : http;
    return new Promise(resolve => {
      const request = client.get(
        target,
        { timeout: this.timeoutMs, lookup: lookupWithLocalhost },
        response => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', chunk => {
            if (body.length < 16_384) body += chunk;
          });
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            let version: string | undefined;
            try {
              const parsed = JSON.parse(body);
              if (typeof parsed?.version === 'string') version = parsed.version;
            } catch {
              // Not JSON: healthy or not by status alone.
            }
            resolve({
              healthy: status >= 200 && status < 300,
              statusCode: status,
              version,
              checkedAt,
              error:
                status >= 200 && status < 300
                  ? undefined
                  : `${target} answered ${status}${
                      body ? `: ${body.slice(0, 200)}` : ''
                    }`,
            });
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(
          new Error(`no answer within ${this.timeoutMs / 1000} s`),
        ),
      );
      request.on('error', error =>
        resolve({
          healthy: false,
          checkedAt,
          error: `${target} did not answer: ${error.message}`,
        }),
      );
    });
  }
}

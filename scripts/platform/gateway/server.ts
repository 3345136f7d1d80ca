/*
 * Paved's local gateway: every service answers at a URL on loopback, as an
 * ingress controller gives it one in a real cluster.
 *
 *   http://<service>.<namespace>.localhost:<port>/...  →  Service <service> in
 *   <namespace>, at its ClusterIP (the host reaches ClusterIPs through the
 *   node's network namespace, see docs/platform/node.md)
 *
 * `*.localhost` is loopback by RFC 6761: browsers and curl resolve it without
 * any DNS set-up. The Service is looked up in the apiserver (cached for a few
 * seconds); the first port named `http`, else the first port, is used.
 * Errors say what is missing: no such Service, no ready pod behind it.
 *
 *   GET /healthz on the bare address (no service in the Host): the gateway's own health
 *
 * Environment: PAVED_GATEWAY_PORT (8900), PAVED_KUBE_SERVER (https://127.0.0.1:16443),
 * PAVED_KUBE_TOKEN_FILE, PAVED_KUBE_CA_FILE. Run with Node 22+ (type stripping).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const port = Number(process.env.PAVED_GATEWAY_PORT ?? 8900);
const apiServer = process.env.PAVED_KUBE_SERVER ?? 'https://127.0.0.1:16443';
const tokenFile = process.env.PAVED_KUBE_TOKEN_FILE ?? '';
const caFile = process.env.PAVED_KUBE_CA_FILE ?? '';
const CACHE_MS = 5000;
/** DNS-1123 labels: what Kubernetes allows as a Service or namespace name. */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Target {
  address: string;
  port: number;
}
const cache = new Map<string, { at: number; target: Target | string }>();
/**
 * To the pods: a connection per request. A kept-alive connection stays with the
 * pod it was opened to; when a rolling restart stops that pod, a request sent
 * on it as the pod closes it fails (ECONNRESET), although a Ready pod serves.
 * A new connection goes through the ClusterIP to a Ready pod.
 */
const upstreamAgent = new http.Agent({ keepAlive: false });
const agent = new https.Agent({
  ca: caFile ? readFileSync(caFile) : undefined,
  keepAlive: true,
});

function apiGet(path: string): Promise<{ status: number; body: any }> {
  const token = readFileSync(tokenFile, 'utf8').trim();
  return new Promise((resolve, reject) => {
    const request = https.get(
      `${apiServer}${path}`,
      { agent, headers: { authorization: `Bearer ${token}` }, timeout: 5000 },
      response => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (text += chunk));
        response.on('end', () => {
          try {
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(text),
            });
          } catch {
            resolve({ status: response.statusCode ?? 0, body: text });
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** The Service's ClusterIP and port, or why there is none. */
async function resolveService(
  service: string,
  namespace: string,
): Promise<Target | string> {
  const key = `${namespace}/${service}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.target;
  const path = `/api/v1/namespaces/${namespace}/services/${service}`;
  let target: Target | string;
  const { status, body } = await apiGet(path);
  if (status === 404) {
    target = `There is no Service ${service} in namespace ${namespace}. Is the service deployed there? (kubectl -n ${namespace} get services)`;
  } else if (status !== 200) {
    throw new Error(
      `the Kubernetes API answered ${status} for ${path}: ${
        body?.message ?? body
      }`,
    );
  } else {
    const ports: Array<{ name?: string; port: number }> =
      body.spec?.ports ?? [];
    const chosen = ports.find(p => p.name === 'http') ?? ports[0];
    const address = body.spec?.clusterIP;
    target =
      chosen && address && address !== 'None'
        ? { address, port: chosen.port }
        : `Service ${namespace}/${service} has no ClusterIP and port to route to`;
  }
  cache.set(key, { at: Date.now(), target });
  return target;
}

function send(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

const server = http.createServer(async (req, res) => {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const match = /^([^.]+)\.([^.]+)\.localhost$/.exec(host);
  if (!match) {
    if (req.url === '/healthz') return send(res, 200, 'ok');
    return send(
      res,
      400,
      `Paved gateway: address a service as http://<service>.<namespace>.localhost:${port}/ (got Host "${host}")`,
    );
  }
  const [, service, namespace] = match;
  if (!LABEL.test(service) || !LABEL.test(namespace)) {
    return send(
      res,
      400,
      `"${service}" and "${namespace}" must be Kubernetes names (lowercase letters, digits and "-")`,
    );
  }
  let target: Target | string;
  try {
    target = await resolveService(service, namespace);
  } catch (error) {
    return send(
      res,
      503,
      `Paved gateway: could not look up ${namespace}/${service}: ${
        (error as Error).message
      }`,
    );
  }
  if (typeof target === 'string')
    return send(res, 404, `Paved gateway: ${target}`);
  const upstream = http.request(
    {
      host: target.address,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: {
        ...req.headers,
        'x-forwarded-host': req.headers.host,
        'x-forwarded-proto': 'http',
        'x-forwarded-for': req.socket.remoteAddress,
      },
      timeout: 30_000,
      agent: upstreamAgent,
    },
    response => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on('timeout', () =>
    upstream.destroy(new Error('no answer within 30 s')),
  );
  upstream.on('error', error => {
    if (res.headersSent) return res.destroy();
    const code = (error as NodeJS.ErrnoException).code;
    send(
      res,
      502,
      `Paved gateway: ${namespace}/${service} (${target.address}:${
        target.port
      }) did not answer: ${
        code === 'ECONNREFUSED' || code === 'EHOSTUNREACH'
          ? 'no ready pod behind the Service'
          : error.message
      }`,
    );
  });
  req.pipe(upstream);
});

server.listen(port, '127.0.0.1', () => {
  console.log(
    `Paved gateway on http://127.0.0.1:${port} (http://<service>.<namespace>.localhost:${port}/)`,
  );
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

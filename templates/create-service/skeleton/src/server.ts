import http from 'node:http';

/**
 * The HTTP server of ${{ values.name }}.
 * `/healthz` answers while the process runs (liveness); `/readyz` once it can
 * take traffic (readiness). Kubernetes probes both (deploy/kubernetes).
 */
export function createServer(): http.Server {
  let ready = true;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (req.url) {
      case '/healthz':
        return send(200, { status: 'ok', service: '${{ values.name }}' });
      case '/readyz':
        return ready ? send(200, { status: 'ready' }) : send(503, { status: 'draining' });
      case '/':
        return send(200, { service: '${{ values.name }}', description: ${{ values.description | dump }} });
      default:
        return send(404, { error: `No route for ${req.method} ${req.url}` });
    }
  });
  // Stop taking new traffic first so rolling updates drain cleanly.
  server.on('close', () => {
    ready = false;
  });
  return server;
}

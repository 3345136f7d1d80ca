import { createServer, loadConfig, log } from './server.ts';

const config = loadConfig();
const server = createServer(config);
server.listen(config.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log('INFO', 'listening', {
    service: '${{ values.name }}',
    version: config.version,
    port,
    database: config.databaseUrl ? 'configured' : 'not configured',
  });
});

// Graceful shutdown: stop accepting connections, let in-flight requests
// finish, then exit. Kubernetes sends SIGTERM before it kills the pod.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('INFO', 'shutting down', { signal });
    server.close(() => {
      log('INFO', 'stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      log('ERROR', 'requests still running after 10s, exiting');
      process.exit(1);
    }, 10_000).unref();
  });
}

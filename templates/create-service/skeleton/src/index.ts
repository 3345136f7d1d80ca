import { createServer } from './server.ts';

const port = Number(process.env.PORT ?? 8080);
const server = createServer();
server.listen(port, () => {
  console.log(JSON.stringify({ msg: '${{ values.name }} listening', port }));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

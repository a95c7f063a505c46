/**
 * The peer for benchmarks: stock Aedes with no hooks and in-memory persistence, on a TCP port.
 * Prints `listening <port>` once up. Usage: node simulators/bare-aedes.ts [port]
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});

/**
 * A simulated device's connect under a hub too busy to answer (issue 24, item 8: the demo crashed on an
 * unhandled "connack timeout" on a loaded machine). The broker is stock Aedes behind a TCP server that
 * leaves the first connections unanswered, as a hub whose event loop is behind does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWithRetry } from '../simulators/connect-retry.ts';
import { SimButton } from '../simulators/device-types.ts';

interface SlowBroker {
  url: string;
  /** connections accepted so far, answered or not */
  connections(): number;
  close(): Promise<void>;
}

/** Aedes that leaves the first `unanswered` connections without a CONNACK; `refuse` answers CONNACK 4. */
async function slowBroker(unanswered: number, refuse = false): Promise<SlowBroker> {
  const broker = await Aedes.createBroker();
  if (refuse) {
    broker.authenticate = (_client, _user, _password, done) => {
      const err = Object.assign(new Error('bad secret'), { returnCode: 4 });
      done(err as Parameters<typeof done>[0], false);
    };
  }
  const held: Socket[] = [];
  let seen = 0;
  const server: Server = createServer((socket) => {
    seen++;
    if (seen <= unanswered) held.push(socket);
    else broker.handle(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connections: () => seen,
    close: async () => {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('connecting a simulated device to a busy hub', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('tries again after a connack timeout and gets in', async () => {
    const broker = await slowBroker(2);
    open.push(broker);
    const button = new SimButton({ url: broker.url, id: 'btn-1', secret: 's3cret-s3cret' });
    open.push({ close: () => button.end() });
    const retried: string[] = [];
    await connectWithRetry('btn-1', () => button.connect({ connectTimeout: 200 }), {
      firstDelayMs: 20,
      onRetry: (what, attempt, err) => retried.push(`${what} ${attempt}: ${(err as Error).message}`),
    });
    expect(retried).toEqual(['btn-1 1: connack timeout', 'btn-1 2: connack timeout']);
    expect(broker.connections()).toBe(3);
    expect(button.client.connected).toBe(true);
    await button.sos(); // and it works: the PUBACK comes back
  });

  it('gives up after a bounded number of tries with one error that says why', async () => {
    const broker = await slowBroker(Number.POSITIVE_INFINITY);
    open.push(broker);
    const button = new SimButton({ url: broker.url, id: 'btn-2', secret: 's3cret-s3cret' });
    const attempt = connectWithRetry('btn-2', () => button.connect({ connectTimeout: 100 }), {
      attempts: 3,
      firstDelayMs: 10,
    });
    await expect(attempt).rejects.toThrow('btn-2 could not connect in 3 tries: connack timeout');
    expect(broker.connections()).toBe(3);
  });

  it('does not retry a refusal (a wrong or rotated secret)', async () => {
    const broker = await slowBroker(0, true);
    open.push(broker);
    const button = new SimButton({ url: broker.url, id: 'btn-3', secret: 'old-secret-old' });
    const attempt = connectWithRetry('btn-3', () => button.connect({ connectTimeout: 1000 }), {
      firstDelayMs: 10,
    });
    await expect(attempt).rejects.toThrow(
      /^btn-3 could not connect: Connection refused: Bad username or password/,
    );
    expect(broker.connections()).toBe(1);
  });
});

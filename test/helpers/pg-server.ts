/**
 * A real PostgreSQL server on a TCP port, for commands that connect to one: PGlite (PostgreSQL compiled to WASM)
 * speaks the wire protocol itself (`execProtocolRaw`, start-up included); this only carries whole messages between a
 * socket and it, in order, and declines SSL as a server without certificates does. One connection at
 * a time, like PGlite.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** The SSLRequest code of the start-up phase (a client asks for TLS first; 'N' means "go on in plain text"). */
const SSL_REQUEST = 80877103;

export interface PgServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function servePGlite(db: PGlite): Promise<PgServer> {
  const server: Server = createServer((socket) => {
    let turn = Promise.resolve();
    let pending = Buffer.alloc(0);
    let started = false;
    socket.on('data', (data: Buffer) => {
      // Whole messages only: the start-up message is `length, body`; every later one `type, length, body`.
      pending = Buffer.concat([pending, data]);
      const messages: Buffer[] = [];
      for (;;) {
        const header = started ? 5 : 4;
        if (pending.length < header) break;
        const size = (started ? 1 : 0) + pending.readInt32BE(started ? 1 : 0);
        if (pending.length < size) break;
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!started && !(message.length === 8 && message.readInt32BE(4) === SSL_REQUEST)) started = true;
        messages.push(message);
      }
      for (const message of messages) {
        turn = turn
          .then(async () => {
            if (message.length === 8 && message.readInt32BE(4) === SSL_REQUEST) {
              socket.write('N');
              return;
            }
            const reply = await db.execProtocolRaw(new Uint8Array(message));
            if (reply.length > 0 && !socket.destroyed) socket.write(reply);
          })
          .catch(() => {
            socket.destroy();
          });
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres:secret@127.0.0.1:${port}/postgres`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

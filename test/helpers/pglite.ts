/**
 * One PGlite (PostgreSQL compiled to WASM, in-process) per test file. Starting one takes 1.5–3 s on a quiet
 * machine and over 10 s on a loaded CI runner, so start-up and the tests that run SQL get generous timeouts.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { servePGlite, type PgServer } from './pg-server.js';

/** Start-up, and any test that runs SQL on PGlite: CI machines are slow and shared. */
export const PGLITE_TIMEOUT = 120_000;

/**
 * Registers the file's PGlite start-up (beforeAll) and shutdown (afterAll); the returned function gives the
 * instance inside tests. Call it once, at the top of the file or of its outermost `describe`.
 */
export function usePGlite(setup?: (db: PGlite) => Promise<void>): () => PGlite {
  let db: PGlite | undefined;
  beforeAll(async () => {
    db = await PGlite.create();
    if (setup) await setup(db);
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await db?.close();
  }, PGLITE_TIMEOUT);
  return () => {
    if (!db) throw new Error('PGlite is not started (usePGlite must be called at the top of the file or describe)');
    return db;
  };
}

/** A PGlite database made from `sql` and served on a TCP port, for the tests of the describe block this is called in. */
export function servedDatabase(sql: string): { db: ReturnType<typeof usePGlite>; server: () => PgServer } {
  const db = usePGlite(async (instance) => {
    await instance.exec(sql);
  });
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await servePGlite(db());
  }, PGLITE_TIMEOUT);
  afterAll(async () => {
    await server?.close();
  }, PGLITE_TIMEOUT);
  return {
    db,
    server: () => {
      if (!server) throw new Error('the PostgreSQL server is not started yet');
      return server;
    },
  };
}

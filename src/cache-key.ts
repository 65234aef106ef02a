/**
 * `eslint --cache` and the schema. ESLint reuses a file's cached result while the file and the hash of its config
 * are unchanged, but a TS file's findings also depend on the migrations: drop `deleted_at` from a table and every
 * read of it is fine now, yet the cache would keep reporting it. So the schema's fingerprint is made part of the
 * config ESLint hashes: the recommended config gives `settings["soft-delete"]` a `toJSON` (ESLint serialises the
 * config with it before hashing), which adds a `schemaFingerprint` — the schema files' paths, sizes and mtimes.
 * Settings merged from the user's config keep it, so the fingerprint covers the user's `schema` globs (and the
 * DynamoDB tables infrastructure definitions declare).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { listSchemaFiles, locateSchema } from './schema/load.js';
import { normalizeSettings } from './settings.js';
import { withInfrastructureTables } from './schema/dynamodb-tables.js';
import path from 'node:path';

/** Paths, sizes and mtimes of the schema files `settings` name (or the conventional places), hashed. */
export function schemaFingerprint(cwd: string, rawSettings: unknown): string {
  const settings = normalizeSettings(rawSettings);
  const hash = createHash('sha256');
  for (const file of listSchemaFiles(locateSchema(cwd, settings))) {
    let stamp = 'missing';
    try {
      const stat = statSync(file);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      // listed, then gone: hashed as missing
    }
    hash.update(`${file}\0${stamp}\n`);
  }
  // DynamoDB tables found in infrastructure definitions decide findings too
  const dynamo = withInfrastructureTables(settings, cwd, path.join(cwd, 'package.json')).dynamodb;
  if (dynamo.tables.size > 0) hash.update(JSON.stringify([...dynamo.tables]));
  if (dynamo.environment.size > 0) hash.update(JSON.stringify([...dynamo.environment]));
  return hash.digest('hex').slice(0, 20);
}

/**
 * The `toJSON` of `settings["soft-delete"]`: the settings as they are, plus the schema fingerprint. ESLint's CLI
 * runs in the project directory, so `process.cwd()` is the cwd the rules see.
 */
function settingsWithFingerprint(this: Record<string, unknown>): Record<string, unknown> {
  const { toJSON: _toJSON, ...settings } = this;
  return { ...settings, schemaFingerprint: schemaFingerprint(process.cwd(), settings) };
}

/** The settings the recommended config contributes: nothing but the fingerprinting `toJSON`. */
export function cacheAwareSettings(): Record<string, unknown> {
  return { 'soft-delete': { toJSON: settingsWithFingerprint } };
}

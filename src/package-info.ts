/**
 * The package's own name and version, from its package.json (light: the formatters read it without loading the
 * plugin).
 */
import { readFileSync } from 'node:fs';

export const PACKAGE_NAME = 'eslint-plugin-soft-delete';

/** Where the product is documented. */
export const HOMEPAGE = 'https://github.com/eslint-plugin-soft-delete/eslint-plugin-soft-delete';

/** The package.json is one level up from src/ when run from source, two from dist/src/. */
export function ownPackage(): { name: string; version: string } {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return { name: pkg.name, version: pkg.version };
    } catch {
      // try the next candidate
    }
  }
  return { name: PACKAGE_NAME, version: '0.0.0' };
}

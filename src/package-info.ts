/**
 * The package's own name, version and files, from its package.json (light: the formatters read it without loading
 * the plugin).
 */
import { readFileSync } from 'node:fs';

export const PACKAGE_NAME = 'eslint-plugin-soft-delete';

/** Where the product is documented. */
export const HOMEPAGE = 'https://github.com/eslint-plugin-soft-delete/eslint-plugin-soft-delete';

let found: { root: URL; name: string; version: string } | null | undefined;

/** The package.json is one level up from src/ when run from source, two from dist/src/. */
function locate(): { root: URL; name: string; version: string } | null {
  if (found !== undefined) return found;
  found = null;
  for (const dir of ['../', '../../']) {
    try {
      const root = new URL(dir, import.meta.url);
      const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) {
        found = { root, name: pkg.name, version: pkg.version };
        break;
      }
    } catch {
      // try the next candidate
    }
  }
  return found;
}

export function ownPackage(): { name: string; version: string } {
  const pkg = locate();
  return pkg ? { name: pkg.name, version: pkg.version } : { name: PACKAGE_NAME, version: '0.0.0' };
}

/**
 * The documentation page (markdown) of one of this plugin's rules (`soft-delete/<name>`), as shipped in the package's
 * docs/rules/, with relative links made absolute against the page's `url`; undefined for other rules or when absent.
 */
export function ruleDocs(ruleId: string, url: string | undefined): string | undefined {
  const name = /^soft-delete\/([a-z0-9-]+)$/.exec(ruleId)?.[1];
  const pkg = locate();
  if (!name || !pkg) return undefined;
  let text: string;
  try {
    text = readFileSync(new URL(`docs/rules/${name}.md`, pkg.root), 'utf8');
  } catch {
    return undefined;
  }
  if (!url) return text;
  return text.replace(/\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)/gi, (whole, link: string) => {
    try {
      return `](${new URL(link, url).href})`;
    } catch {
      return whole;
    }
  });
}

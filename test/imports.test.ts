/**
 * Names and clients imported through non-relative specifiers: tsconfig `paths` aliases (with `extends` and the
 * JSONC dialect) and a workspace package linked into `node_modules` (npm/pnpm/yarn workspaces), whose source is
 * read from `src/` when its manifest points at `dist/`. Linted through the real ESLint class.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importedString, MODULE_MISS_TTL_MS, resolveModule } from '../src/extract/modules.js';
import { SCHEMA_RECHECK_MS, setSchemaClock } from '../src/schema/load.js';
import { removeTempProjects, tempProject, writeProjectFile } from './helpers/temp-project.js';
import { lintFixtureSrc } from './helpers/fixture-lint.js';

const project = fileURLToPath(new URL('./fixtures/imports-project', import.meta.url));
const link = join(project, 'node_modules/@acme/db');

beforeAll(() => {
  // the link a workspace install makes (node_modules is not committed)
  rmSync(join(project, 'node_modules'), { recursive: true, force: true });
  mkdirSync(join(project, 'node_modules/@acme'), { recursive: true });
  symlinkSync(join(project, 'packages/db'), link, 'dir');
});
afterAll(() => {
  rmSync(join(project, 'node_modules'), { recursive: true, force: true });
  removeTempProjects();
});

const lint = (): Promise<string[]> => lintFixtureSrc(project);

describe('non-relative imports', () => {
  it('resolves tsconfig paths (through extends), baseUrl and workspace packages to project files', () => {
    const from = join(project, 'src/invoices.ts');
    expect(resolveModule(from, '@/lib/tables')).toBe(join(project, 'src/lib/tables.ts'));
    expect(resolveModule(from, '#tables')).toBe(join(project, 'src/lib/tables.ts'));
    expect(resolveModule(from, 'src/lib/tables')).toBe(join(project, 'src/lib/tables.ts')); // baseUrl
    expect(resolveModule(from, '@acme/db')).toBe(join(project, 'packages/db/src/index.ts')); // dist/ → src/
    expect(resolveModule(from, '@acme/missing')).toBeNull();
    expect(resolveModule(from, 'node:fs')).toBeNull();
  });

  it('looks a missing module up again once MODULE_MISS_TTL_MS has passed: an editor may create the file later', () => {
    const from = join(project, 'src/invoices.ts');
    const later = join(project, 'src/lib/later.ts');
    rmSync(later, { force: true });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(resolveModule(from, '@/lib/later')).toBeNull();
      writeFileSync(later, "export const LaterTable = 'later';\n");
      expect(resolveModule(from, '@/lib/later')).toBeNull(); // within the window the miss is remembered (no stats)
      vi.advanceTimersByTime(MODULE_MISS_TTL_MS + 1);
      expect(resolveModule(from, '@/lib/later')).toBe(later);
    } finally {
      vi.useRealTimers();
      rmSync(later, { force: true });
    }
  });

  it('reads table names and clients across aliases and workspace packages, squiggle on the name', async () => {
    expect(await lint()).toEqual([
      'src/invoices.ts:11 missing Tables.Orders',
      'src/invoices.ts:15 missing Table.Customers',
      'src/invoices.ts:7 missing InvoicesTable',
    ]);
  }, 120_000);
});

describe('imported modules are re-read at the pace of the schema files', () => {
  it('takes a module (and where a relative import leads) as read within the re-check interval, and sees an edit, a rename and a new file after it', () => {
    const dir = tempProject('sd-modules-', { 'src/tables.ts': "export const OrdersTable = 'orders';\n", 'src/app.ts': '' });
    const from = join(dir, 'src/app.ts');
    let now = 5_000_000;
    setSchemaClock(() => now);
    try {
      expect(importedString(from, './tables', 'OrdersTable')).toBe('orders');
      // edited (size changes too, so the stamp differs on any clock): not looked at within the interval ...
      writeProjectFile(dir, 'src/tables.ts', "export const OrdersTable = 'orders_v2';\n");
      now += SCHEMA_RECHECK_MS - 1;
      expect(importedString(from, './tables', 'OrdersTable')).toBe('orders');
      // ... and read again after it
      now += 2;
      expect(importedString(from, './tables', 'OrdersTable')).toBe('orders_v2');

      // moved into a folder: the relative import resolves again after the interval
      rmSync(join(dir, 'src/tables.ts'));
      writeProjectFile(dir, 'src/tables/index.ts', "export const OrdersTable = 'orders_v3';\n");
      now += SCHEMA_RECHECK_MS + 1;
      expect(importedString(from, './tables', 'OrdersTable')).toBe('orders_v3');

      // a module that did not exist yet
      expect(importedString(from, './later', 'LaterTable')).toBeNull();
      writeProjectFile(dir, 'src/later.ts', "export const LaterTable = 'later';\n");
      now += SCHEMA_RECHECK_MS + 1;
      expect(importedString(from, './later', 'LaterTable')).toBe('later');
    } finally {
      setSchemaClock();
    }
  });
});

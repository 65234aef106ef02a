/**
 * `npm run new-rule <name>`: run against a scratch copy of src/index.ts, it writes a rule, its docs page and its
 * test, and registers the rule (strict config only); it refuses bad or taken names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const script = path.join(repo, 'scripts/new-rule.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'new-rule-'));
mkdirSync(path.join(scratch, 'src'));
copyFileSync(path.join(repo, 'src/index.ts'), path.join(scratch, 'src/index.ts'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run new-rule', () => {
  it('is a package script', () => {
    const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts['new-rule']).toBe('node scripts/new-rule.js');
  });

  it('writes the rule, its docs page and its test, and registers the rule in the strict config only', () => {
    execFileSync(process.execPath, [script, 'require-live-join', '--root', scratch], { stdio: 'pipe' });
    const rule = readFileSync(path.join(scratch, 'rules/require-live-join.ts'), 'utf8');
    const docs = readFileSync(path.join(scratch, 'docs/rules/require-live-join.md'), 'utf8');
    const test = readFileSync(path.join(scratch, 'test/rules/require-live-join.test.ts'), 'utf8');
    const index = readFileSync(path.join(scratch, 'src/index.ts'), 'utf8');
    // the generated TypeScript parses
    for (const [file, text] of [['rule.ts', rule], ['test.ts', test]] as const) {
      const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext } });
      expect(out.diagnostics ?? [], file).toEqual([]);
    }
    expect(rule).toContain("name: 'require-live-join'");
    expect(rule).toContain('schema: []'); // no options, so the docs page needs no Options section
    expect(docs.split('\n')[0]).toBe('# soft-delete/require-live-join');
    expect(test).toContain("expect.fail('test/rules/require-live-join.test.ts: write the valid and invalid cases");
    expect(index).toContain("import requireLiveJoin from '../rules/require-live-join.js';");
    expect(index).toMatch(/export const rules = \{\n[\s\S]*'require-live-join': requireLiveJoin,\n\};/);
    expect(index).toMatch(/const STRICT_ONLY: ReadonlySet<string> = new Set\(\[\n[\s\S]*'require-live-join',\n\]\);/);
    // the rest of index.ts is untouched
    const original = readFileSync(path.join(repo, 'src/index.ts'), 'utf8');
    expect(index.length - original.length).toBe(
      "import requireLiveJoin from '../rules/require-live-join.js';\n".length + "  'require-live-join': requireLiveJoin,\n".length + "  'require-live-join',\n".length,
    );
  });

  it('refuses a taken name, a name that is not kebab-case, and no name', () => {
    for (const argv of [['require-live-join'], ['RequireLiveJoin'], ['single'], []]) {
      const run = spawnSync(process.execPath, [script, ...argv, '--root', scratch], { encoding: 'utf8' });
      expect(run.status, argv.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/^new-rule: /);
    }
    expect(existsSync(path.join(scratch, 'rules/RequireLiveJoin.ts'))).toBe(false);
  });
});

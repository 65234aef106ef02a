#!/usr/bin/env node
// `npm run new-rule <name>`: a rule, its docs page and its test, registered in src/index.ts (in configs.strict
// only, until it has earned a place in recommended). The rule and the page are valid as generated (the docs test
// passes); the test fails, saying what to write, until it has real cases. Thin rule: the check belongs in
// src/analysis/, the rule maps its findings to reports.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? path.resolve(args[rootAt + 1] ?? '.') : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--root')[0];

function fail(message) {
  console.error(`new-rule: ${message}`);
  process.exit(1);
}

if (!name) fail('usage: npm run new-rule <rule-name>   (kebab-case, e.g. require-live-join)');
if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/.test(name)) fail(`"${name}" is not a kebab-case rule name of two words or more`);

const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const files = {
  rule: path.join(root, 'rules', `${name}.ts`),
  docs: path.join(root, 'docs', 'rules', `${name}.md`),
  test: path.join(root, 'test', 'rules', `${name}.test.ts`),
  index: path.join(root, 'src', 'index.ts'),
};
for (const file of [files.rule, files.docs, files.test]) if (existsSync(file)) fail(`${path.relative(root, file)} exists already`);
if (!existsSync(files.index)) fail(`no src/index.ts under ${root}`);

const rule = `/**
 * ${name}: TODO one sentence on the mistake this rule catches and why it matters.
 */
import { createRule, locOf, onFile } from '../src/rule-support.js';

export type Options = [];
export type MessageIds = 'found';

export default createRule<Options, MessageIds>({
  name: '${name}',
  meta: {
    type: 'problem',
    docs: {
      description: 'TODO: what the rule requires, in one line',
      recommended: false,
      requiresSchema: true,
    },
    schema: [],
    messages: {
      found: 'TODO: what is wrong at {{table}}, and what to write instead.',
    },
  },
  defaultOptions: [],
  create(context) {
    return onFile(context, (analysis, report) => {
      // TODO: run a check from src/analysis/ on analysis.statements and report each finding at its SQL span:
      // report({ loc: locOf(context, finding.fragment, finding.start, finding.end), messageId: 'found', data: { table } });
      void analysis;
      void report;
      void locOf;
    });
  },
});
`;

const docs = `# soft-delete/${name}

TODO: what the rule requires, in one or two sentences.

Only in \`configs.strict\` · Needs the schema

## Why

TODO: the mistake, what PostgreSQL does with it (proven in the test suite on a real database when it is a claim
about database behaviour), and why a reviewer misses it.

\`\`\`sql
-- ❌ TODO: the mistake

-- ✅ TODO: the fix
\`\`\`

## When not to use it

TODO: the legitimate code this rule would report, and how to say so (a disable comment naming the rule).
`;

const test = `import { describe, expect, it } from 'vitest';
import rule from '../../rules/${name}.js';

// TODO: replace this placeholder with RuleTester cases that read like documentation (see the other files in
// test/rules/): sqlRuleTester() / tsRuleTester() from ../helpers/rule-tester.js, valid code (including the
// deliberate shapes the rule must accept) and invalid code with exact locations and suggestions.
describe('${name}', () => {
  it('has cases', () => {
    expect(rule.meta.docs?.description).toBeTruthy();
    expect.fail('test/rules/${name}.test.ts: write the valid and invalid cases of ${name}');
  });
});
`;

let index = readFileSync(files.index, 'utf8');
const lastImport = [...index.matchAll(/^import \w+ from '\.\.\/rules\/[^']+\.js';\n/gm)].pop();
const rulesOpen = /export const rules = \{\n/.exec(index);
const strictOpen = /const STRICT_ONLY: ReadonlySet<string> = new Set\(\[\n/.exec(index);
if (!lastImport || !rulesOpen || !strictOpen) fail('src/index.ts does not have the shape this script edits (rule imports, `export const rules = {`, STRICT_ONLY)');
const edits = [
  [lastImport.index + lastImport[0].length, `import ${camel} from '../rules/${name}.js';\n`],
  [index.indexOf('};', rulesOpen.index), `  '${name}': ${camel},\n`],
  [index.indexOf(']);', strictOpen.index), `  '${name}',\n`],
].sort((a, b) => b[0] - a[0]);
for (const [at, text] of edits) index = index.slice(0, at) + text + index.slice(at);

for (const dir of [path.dirname(files.rule), path.dirname(files.docs), path.dirname(files.test)]) mkdirSync(dir, { recursive: true });
writeFileSync(files.rule, rule);
writeFileSync(files.docs, docs);
writeFileSync(files.test, test);
writeFileSync(files.index, index);
for (const file of [files.rule, files.docs, files.test, files.index]) console.log(`new-rule: wrote ${path.relative(root, file)}`);
console.log(`new-rule: fill in the TODOs; npx vitest run test/rules/${name}.test.ts fails until the cases are written.`);

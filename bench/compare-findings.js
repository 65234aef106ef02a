/**
 * Behaviour check for speed work: the per-statement pipeline of two builds (what `bench/run.js --only=statement`
 * times) must give the same findings — verdicts, positions, filters, fixes, code fixes — on the same statements.
 *
 *   node bench/compare-findings.js --dist=/path/to/before/dist/src             this checkout's dist/ against another
 *   node bench/compare-findings.js --dist=before/dist/src --dist=after/dist/src --batches=20
 *
 * Statements come from the SQL-dense generator (bench/corpus.js), fresh batches of 300. Exits 1 on any difference,
 * printing the first statement whose findings differ.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateStatements, writeProject } from './corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const dists = argv.filter((a) => a.startsWith('--dist=')).map((a) => path.resolve(a.slice('--dist='.length)));
if (dists.length === 1) dists.push(path.join(here, '..', 'dist', 'src'));
const batches = Number(argv.find((a) => a.startsWith('--batches='))?.slice('--batches='.length) ?? 10);
if (dists.length !== 2 || dists.some((d) => !existsSync(path.join(d, 'index.js')))) {
  console.error('compare-findings: give one or two built dist/src directories with --dist= (run `npm run build` first)');
  process.exit(2);
}

const dense = writeProject({ tables: 200, migrations: 300, files: 1 });
process.on('exit', () => rmSync(dense.dir, { recursive: true, force: true }));

/** The pipeline of one build: each statement's findings, as plain data (fragments and model objects left out). */
async function pipelineOf(dist) {
  const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
  const [{ lowerFragments }, { ReadAnalyzer }, { loadSchema }, { normalizeSettings }, { wholeFileFragment }, parser] = await Promise.all([
    load('engine.js'), load('analysis/reads.js'), load('schema/load.js'), load('settings.js'), load('sql/fragment.js'), load('sql/parser.js'),
  ]);
  await parser.parserLoaded?.();
  const settings = normalizeSettings({ schema: ['migrations/**/*.sql'] });
  const context = { schema: loadSchema(dense.dir, settings), settings };
  const plain = (finding) => {
    const { fragment, fix, codeFix, ...rest } = finding;
    return { ...rest, fix: fix?.map(({ start, end, text }) => ({ start, end, text })) ?? null, codeFix: codeFix ? JSON.parse(JSON.stringify(codeFix)) : null };
  };
  return (statements) => {
    const analyzer = new ReadAnalyzer(context);
    return statements.map((text) => {
      const { statements: lowered, parseErrors } = lowerFragments([wholeFileFragment(text)]);
      const out = { parseErrors: parseErrors.length, findings: [] };
      for (const s of lowered) {
        for (const q of s.reads) out.findings.push(...analyzer.checkQuery(q).map(plain));
        for (const w of s.writes) out.findings.push(...analyzer.checkReturning(w).map(plain));
        for (const d of s.definitions) if (d.query) out.findings.push(...analyzer.checkDefinition(d.query, d.kind === 'view').findings.map(plain));
      }
      return JSON.stringify(out);
    });
  };
}

const [a, b] = await Promise.all(dists.map(pipelineOf));
let statements = 0;
let findings = 0;
for (let batch = 0; batch < batches; batch++) {
  const texts = generateStatements(dense.schema.tables, 300, 7000 + batch);
  const [left, right] = [a(texts), b(texts)];
  for (let i = 0; i < texts.length; i++) {
    statements++;
    findings += JSON.parse(left[i]).findings.length;
    if (left[i] !== right[i]) {
      console.error(`compare-findings: the builds differ on\n  ${texts[i]}\n${dists[0]}:\n  ${left[i]}\n${dists[1]}:\n  ${right[i]}`);
      process.exit(1);
    }
  }
}
console.log(`compare-findings: ${statements} statements, ${findings} findings (with their positions, fixes and code fixes): the same in both builds`);

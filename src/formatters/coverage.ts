/**
 * ESLint formatter: ESLint's own `stylish` output followed by the plugin's coverage line — files linted, SQL
 * statements analysed, reads of soft-delete tables checked, database calls not understood, what the schema held — so
 * a clean plain `eslint` run says how much it saw.
 * `eslint -f ./node_modules/eslint-plugin-soft-delete/formatters/coverage.js .`
 *
 * The tally is kept only when this formatter is asked for (the plugin sees it in the command line as it loads), so
 * other runs pay nothing. Files ESLint took from its cache (`--cache`) or linted in worker threads
 * (`--concurrency`) are not analysed in this thread: the line says how many it could not count.
 */
import path from 'node:path';
import { coverageLine, coverageTally } from '../analysis/coverage.js';
import type { FormatterContext } from './context.js';

interface Result {
  filePath: string;
  messages: unknown[];
}

export default async function coverageFormatter(results: readonly Result[], context?: FormatterContext): Promise<string> {
  const { ESLint } = await import('eslint');
  const stylish = await new ESLint({ cwd: context?.cwd ?? process.cwd() }).loadFormatter('stylish');
  const text = await stylish.format(results as never, context as never);
  const tally = coverageTally();
  const counted = tally ? results.filter((r) => tally.byFile.has(path.resolve(r.filePath))).length : 0;
  const missing = results.length - counted;
  const uncounted = `${missing} of ${results.length} file(s) not analysed in this run: from ESLint's cache, or linted in worker threads by --concurrency`;
  const line = !tally
    ? 'soft-delete coverage: not counted (the plugin did not see this formatter named on the command line as it loaded)'
    : tally.files === 0 && missing > 0
      ? `soft-delete coverage: nothing analysed (${uncounted})`
      : `soft-delete coverage: ${coverageLine(tally)}${missing > 0 ? ` (${uncounted})` : ''}`;
  return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${line}`; // ESLint ends the output with a line break
}

/**
 * CommonJS modules are followed like ES modules: a client or a constant exported with `module.exports = { … }`,
 * `module.exports = knex(…)` or `exports.name = …`, and brought in with `require('./m')` (destructured, whole, or
 * `.name`). The client names are ones no name pattern knows, so only following the modules finds them.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';
import plugin from '../src/index.js';
import { clearSchemaCache } from '../src/schema/load.js';
import { squiggleLines } from './helpers/fixture-lint.js';

const project = fileURLToPath(new URL('./fixtures/commonjs-project', import.meta.url));

it('follows module.exports, exports.name and require() to the clients and table names, squiggle on the table', async () => {
  clearSchemaCache();
  const eslint = new ESLint({
    cwd: project,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } }, ...plugin.configs.recommended],
  });
  expect(squiggleLines(await eslint.lintFiles(['src']), project)).toEqual([
    'src/users.js:11 missing ORDERS',
    'src/users.js:15 missing accounts',
    'src/users.js:19 missing users',
    'src/users.js:7 missing users',
  ]);
}, 120_000);

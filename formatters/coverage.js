// The `eslint -f` entry point: ESLint's stylish output and the plugin's coverage line (see the README).
export { default } from '../dist/src/formatters/coverage.js';

// The `eslint -f` entry point; see docs/review-bot.md.
export { default } from '../dist/src/formatters/rdjson.js';

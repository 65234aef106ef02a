// The example project's ESLint config: exactly what a user writes (the package resolves to this repository).
import tsParser from '@typescript-eslint/parser';
import softDelete from 'eslint-plugin-soft-delete';

export default [
  { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
  ...softDelete.configs.recommended,
];

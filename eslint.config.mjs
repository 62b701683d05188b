// Lint for src/, test/, bench/ and scripts/: ESLint's and typescript-eslint's recommended rules, without
// type information so that it stays fast. Layer boundaries and import cycles are checked by
// dependency-cruiser (.dependency-cruiser.cjs); both run in `npm test` through `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      // A leading underscore marks a parameter an interface requires but this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Expected output is indented text; a regex with the literal spaces reads like the output it matches.
      'no-regex-spaces': 'off',
    },
  },
  {
    // tsc already reports undefined names in TypeScript, knowing the types and globals better.
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Generated from proto/ (npm run gen:proto): a message without fields is an empty interface.
    files: ['src/frontdoor/wire/pb-*.ts'],
    rules: { '@typescript-eslint/no-empty-object-type': 'off' },
  },
  {
    // Tests drive grpc-js clients built at run time from .proto files, which have no static types.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

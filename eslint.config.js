// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import libsTiers from './scripts/lint/libs-tiers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', 'data/', 'dist/', 'test-output/', 'services/query/ui/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'No .only tests on main' },
        { selector: "CallExpression[callee.property.name='skip']", message: 'No skipped tests on main' },
      ],
    },
  },
  // The floors of libs/ (docs/architecture.md): no loops between its folders, nothing in libs/ imports services/.
  { files: ['libs/**/*.ts'], plugins: { pharos: libsTiers }, rules: { 'pharos/floors': 'error' } },
  // Options objects for 4+ parameters (issue 20), so positional lists cannot grow back.
  { rules: { 'max-params': ['error', 3] } },
  // The console's modules run in the browser (served as they are, no build step).
  { files: ['services/query/ui/**/*.js'], languageOptions: { globals: globals.browser } },
);

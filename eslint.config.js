// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
  // Options objects for 4+ parameters (issue 20), so positional lists cannot grow back. services/alerting is
  // converted on its own branch: the exception goes when that lands.
  { ignores: ['services/alerting/**'], rules: { 'max-params': ['error', 3] } },
  // The console's modules run in the browser (served as they are, no build step).
  { files: ['services/query/ui/**/*.js'], languageOptions: { globals: globals.browser } },
);

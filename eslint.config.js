import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'bench/results/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // Core max-len, though ESLint deprecated it for @stylistic/max-len: it stays in ESLint up to
      // 11.0.0 with the same options, so one rule does not justify a new dependency. When ESLint 11
      // comes, add @stylistic/eslint-plugin and rename the rule; the options carry over unchanged.
      // Strings, template literals and regular expressions are exempt: texts in four languages and
      // long patterns are read and grepped whole. Comments are not exempt.
      'max-len': ['error', {
        code: 140,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
      }],
    },
  },
);

import neostandard from 'neostandard'

/** Imports one folder may not make: the layering, held by the linter rather than by memory. */
const boundary = (group, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }]
})

// Fastify's own style (neostandard), with TypeScript
export default [
  ...neostandard({
    ts: true,
    ignores: ['build/**', 'coverage/**', '.tap/**', 'node_modules/**']
  }),
  {
    rules: {
      // TypeBox idiom: a schema value and its Static<> type share one name; tsc catches real redeclarations
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    // shared/ is imported by both halves and imports neither
    files: ['shared/**/*.ts'],
    rules: boundary(['**/plugin/**', '**/adapter/**', '**/plugin', '**/adapter'], 'shared/ is imported by the plugin and the adapter; it imports neither')
  },
  {
    files: ['adapter/**/*.ts'],
    rules: boundary(['**/plugin/**', '**/plugin'], 'the adapter reaches the plugin over HTTP only; share code through shared/')
  },
  {
    files: ['plugin/**/*.ts'],
    ignores: ['plugin/nodebb/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/adapter/**', '**/adapter'], message: 'the plugin never imports the adapter; share code through shared/' },
          { group: ['**/nodebb/require'], message: 'only plugin/nodebb/ reaches NodeBB (nodebbRequire, its modules and key layout)' }
        ]
      }],
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='require'][property.name='main']", message: 'only plugin/nodebb/ reaches NodeBB\'s modules' },
        { selector: "MemberExpression[object.name='globalThis'][property.name='nodebb']", message: 'only plugin/nodebb/ reaches NodeBB\'s modules' }
      ]
    }
  },
  {
    files: ['plugin/nodebb/**/*.ts'],
    rules: boundary(['**/adapter/**', '**/adapter'], 'the plugin never imports the adapter')
  }
]

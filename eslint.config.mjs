import neostandard from 'neostandard'

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
  }
]

import neostandard from 'neostandard'

/**
 * The layering, held by the linter rather than by memory. Each zone lists what its files may not
 * import; the TypeScript rule also sees `import x = require(...)` and `export ... from`.
 */
const zone = {
  plugin: { group: ['**/plugin/**', '**/plugin'], message: 'only the plugin imports the plugin; share code through shared/' },
  adapter: { group: ['**/adapter/**', '**/adapter'], message: 'only the adapter imports the adapter; share code through shared/' },
  // NodeBB's modules as NodeBB resolves them for a plugin (require.main.require), and our one door to them
  nodebb: { group: ['**/nodebb/require'], message: 'only plugin/nodebb/ reaches NodeBB (nodebbRequire, its modules and key layout)' },
  nodebbModules: { regex: '^(nodebb|winston|nconf)(/.*)?$', message: 'NodeBB\'s modules are reached only by plugin/nodebb/ (nodebbRequire), never resolved from this package' },
  nodebbWrappers: { group: ['**/nodebb/**'], message: 'NodeBB\'s wrappers are wired in plugin/index.ts; other plugin modules take a Platform (plugin/platform.ts)' },
  fastify: { group: ['fastify', 'fastify-plugin', '@fastify/*'], message: 'Fastify belongs to the adapter alone (the plugin runs inside NodeBB)' },
  express: { group: ['express'], message: 'Express is NodeBB\'s HTTP layer: only plugin/nodebb/ and plugin/index.ts mount on it' }
}

const boundary = (...patterns) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }]
})

/** NodeBB's modules are reached only by plugin/nodebb/require.ts, never with a bare require(). */
const noNodebbRequire = ['error',
  { selector: "CallExpression[callee.name='require']", message: 'only plugin/nodebb/ reaches NodeBB\'s modules (nodebbRequire)' },
  { selector: "MemberExpression[object.name='require'][property.name='main']", message: 'only plugin/nodebb/ reaches NodeBB\'s modules' },
  { selector: "MemberExpression[object.name='globalThis'][property.name='nodebb']", message: 'only plugin/nodebb/ reaches NodeBB\'s modules' }
]

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
    // shared/ is imported by both halves and imports neither, nor either half's framework
    files: ['shared/**/*.ts'],
    rules: {
      ...boundary(zone.plugin, zone.adapter, zone.nodebb, zone.nodebbModules, zone.fastify, zone.express),
      'no-restricted-syntax': noNodebbRequire
    }
  },
  {
    // the adapter reaches the plugin and NodeBB over HTTP only
    files: ['adapter/**/*.ts'],
    rules: {
      ...boundary(zone.plugin, zone.nodebbModules, zone.express)
    }
  },
  {
    files: ['plugin/**/*.ts'],
    ignores: ['plugin/nodebb/**', 'plugin/index.ts'],
    rules: {
      ...boundary(zone.adapter, zone.nodebbModules, zone.nodebbWrappers, zone.fastify, zone.express),
      'no-restricted-syntax': noNodebbRequire
    }
  },
  {
    // the hook glue: wires plugin/nodebb/'s wrappers to the modules, but reaches NodeBB only through them
    files: ['plugin/index.ts'],
    rules: {
      ...boundary(zone.adapter, zone.nodebb, zone.nodebbModules, zone.fastify),
      'no-restricted-syntax': noNodebbRequire
    }
  },
  {
    files: ['plugin/nodebb/**/*.ts'],
    rules: boundary(zone.adapter, zone.fastify)
  }
]

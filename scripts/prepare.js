'use strict'
// `prepare`: npm runs it after `npm ci`/`npm install` in a checkout, and in a git dependency before
// packing it. It builds with TypeScript when TypeScript is installed. Without it (`npm ci --omit=dev`)
// a build already here is kept; with neither there is nothing `npm start` could run, so say so.
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const root = join(__dirname, '..')
const built = join(root, 'build', 'adapter', 'server.js')

let tsc
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] })
} catch {
  if (existsSync(built)) {
    console.log('prepare: TypeScript is not installed (devDependencies omitted); using the build/ already here')
    process.exit(0)
  }
  console.error('prepare: build/ is missing and TypeScript is not installed (devDependencies omitted).\n' +
    'Run `npm ci` once with devDependencies to build (then `npm prune --omit=dev` if you want them gone),\n' +
    'or install the published package or a packed tarball (`npm pack`), which ship build/.')
  process.exit(1)
}
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
process.exit(result.status ?? 1)

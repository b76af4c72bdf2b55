'use strict'
// Does every package the lockfile installs (and the project itself) accept this Node version?
// `npm ci` only warns (EBADENGINE) when one does not; CI runs this for each supported version so a
// dependency upgrade that drops one of them fails the run instead of scrolling past.
// Usage: node .ci/check-engines.js <version> [--omit-dev]
const { join } = require('node:path')
const semver = require('semver')

const root = join(__dirname, '..')
const version = process.argv[2]
const omitDev = process.argv.includes('--omit-dev')
if (version === undefined || semver.valid(version) === null) {
  console.error('usage: node .ci/check-engines.js <node version, e.g. 22.12.0> [--omit-dev]')
  process.exit(2)
}

const lock = require(join(root, 'package-lock.json'))
const bad = []
for (const [path, entry] of Object.entries(lock.packages)) {
  if (omitDev && entry.dev === true) continue
  const range = entry.engines?.node
  if (typeof range !== 'string') continue
  if (!semver.satisfies(version, range)) bad.push(`${path === '' ? 'this project' : path.replace(/^.*node_modules\//, '')} wants node ${range}`)
}
if (bad.length > 0) {
  console.error(`engines: node ${version} is refused (npm ci would warn EBADENGINE) by:\n  ${bad.join('\n  ')}`)
  process.exit(1)
}
console.log(`engines: node ${version} is accepted by this project and every package it installs${omitDev ? ' (without devDependencies)' : ''}`)

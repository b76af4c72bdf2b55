'use strict'
// Run with NodeBB's node in a NodeBB folder (the working directory): NodeBB's own database module,
// configured by that folder's config.json (Redis or PostgreSQL alike), performs the operations in
// the JSON file argv[2] names ([{ "op": "setObject", "args": [...] }, ...]) and writes their
// answers as JSON to the file argv[3] names. Through NodeBB's module, the keys are laid out exactly
// as NodeBB lays them out, on either database. (stdout is not used: NodeBB's logger writes there.)
const { createRequire } = require('node:module')
const { readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const dir = process.cwd()
const nodebbRequire = createRequire(join(dir, 'package.json'))

async function main () {
  const ops = JSON.parse(readFileSync(process.argv[2], 'utf8'))
  const nconf = nodebbRequire('nconf')
  nconf.argv().env({ separator: '__' })
  nodebbRequire('./src/prestart').loadConfig(join(dir, 'config.json'))
  const db = nodebbRequire('./src/database')
  await db.init()
  const answers = []
  for (const { op, args } of ops) {
    if (typeof db[op] !== 'function') throw new Error(`NodeBB's database module has no ${op}`)
    answers.push(await db[op](...args))
  }
  await db.close()
  writeFileSync(process.argv[3], JSON.stringify(answers))
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exit(1)
})

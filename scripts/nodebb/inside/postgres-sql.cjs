'use strict'
// Run with NodeBB's node in a NodeBB folder: the `pg` NodeBB depends on (this package has no
// PostgreSQL client of its own) runs the statements in the JSON file argv[2] names
// ({ "url": "postgres://...", "statements": [{ "text": "...", "values": [...] }] }) one by one and
// writes the rows of each as JSON to the file argv[3] names.
const { createRequire } = require('node:module')
const { readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const { Client } = createRequire(join(process.cwd(), 'package.json'))('pg')

async function main () {
  const { url, statements } = JSON.parse(readFileSync(process.argv[2], 'utf8'))
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    const rows = []
    for (const { text, values } of statements) rows.push((await client.query(text, values)).rows)
    writeFileSync(process.argv[3], JSON.stringify(rows))
  } finally {
    await client.end()
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exit(1)
})

'use strict'
// Per-folder coverage thresholds over tap's json-summary. Raise them as tests grow; never lower.
const { readFileSync } = require('node:fs')
const { relative, join } = require('node:path')

const root = join(__dirname, '..')
const thresholds = JSON.parse(readFileSync(join(__dirname, 'coverage-thresholds.json'), 'utf8'))
const summary = JSON.parse(readFileSync(join(root, '.tap', 'report', 'coverage-summary.json'), 'utf8'))

let failed = false
for (const [folder, min] of Object.entries(thresholds)) {
  let covered = 0
  let total = 0
  for (const [file, data] of Object.entries(summary)) {
    if (file === 'total') continue
    if (!relative(root, file).startsWith(folder + '/')) continue
    covered += data.lines.covered
    total += data.lines.total
  }
  const pct = total === 0 ? 100 : (100 * covered) / total
  const ok = pct >= min
  if (!ok) failed = true
  console.log(`coverage ${folder}: ${pct.toFixed(2)}% of lines (threshold ${min}%) ${ok ? 'ok' : 'TOO LOW'}`)
}
process.exit(failed ? 1 : 0)

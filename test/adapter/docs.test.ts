import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../helper'
import { errorCatalogue } from '../../shared/errors'

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')

t.test('the README API table lists exactly the routes in the OpenAPI output', async (t) => {
  const app = await build(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const fromOpenapi = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
    .sort()
  // the adapter's table only: the section "## API" up to the next heading of its level
  const apiSection = readme.slice(readme.indexOf('\n## API\n'), readme.indexOf('\n## ', readme.indexOf('\n## API\n') + 1))
  const fromReadme = [...apiSection.matchAll(/^\| `((?:GET|POST|PATCH|PUT|DELETE) [^`]+)` \|/gm)].map((m) => m[1]).sort()
  t.ok(fromReadme.length >= 10, 'the API section was found')
  t.same(fromReadme, fromOpenapi)
})

t.test('the README error table matches the catalogue', async (t) => {
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| ([A-Z_]+) \|/gm)].map((m) => [m[1], Number(m[2]), m[3]])
  t.same(rows.map((r) => r[0]).sort(), Object.keys(errorCatalogue).sort())
  for (const [code, status, responseCode] of rows) {
    const entry = errorCatalogue[code as keyof typeof errorCatalogue]
    t.same([status, responseCode], [entry.status, entry.responseCode], String(code))
  }
})

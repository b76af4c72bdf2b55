import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../helper'
import { errorCatalogue } from '../../shared/errors'
import { allowList } from '../../adapter/discussion/allow-list'
import { closedLegacyRoutes, legacyRoutes } from '../../adapter/discussion/legacy-routes'

const read = (file: string): string => readFileSync(join(__dirname, '..', '..', file), 'utf8')
const readme = read('README.md')
const api = read('docs/api.md')

/** The `| \`METHOD /path\` |` rows of one section (from its heading to the next heading of its level). */
function routesIn (text: string, heading: string): string[] {
  const start = text.indexOf(`\n${heading}\n`)
  if (start < 0) return []
  const level = heading.split(' ')[0] as string
  const end = text.indexOf(`\n${level} `, start + 1)
  const section = text.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/^\| `((?:GET|POST|PATCH|PUT|DELETE) [^`]+)` \|/gm)].map((m) => m[1] as string).filter((route) => route.includes(' /api/')).sort()
}

t.test('the README\'s and docs/api.md\'s route tables list exactly the routes in the OpenAPI output', async (t) => {
  const app = await build(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const fromOpenapi = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
    .filter((route) => route.includes(' /api/'))
    .sort()
  t.ok(fromOpenapi.length >= 10)
  t.same(routesIn(readme, '## API'), fromOpenapi, 'README')
  t.same(routesIn(api, '## Routes'), fromOpenapi, 'docs/api.md')
})

t.test('the error table of docs/api.md matches the catalogue', async (t) => {
  const rows = [...api.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| ([A-Z_]+) \|/gm)].map((m) => [m[1], Number(m[2]), m[3]])
  t.same(rows.map((r) => r[0]).sort(), Object.keys(errorCatalogue).sort())
  for (const [code, status, responseCode] of rows) {
    const entry = errorCatalogue[code as keyof typeof errorCatalogue]
    t.same([status, responseCode], [entry.status, entry.responseCode], String(code))
  }
})

t.test('no document sends anyone to a file outside the repository', async (t) => {
  for (const file of ['README.md', 'docs/api.md', '.env.example']) t.notMatch(read(file), /\.\.\/shared\/|DESIGN\.md/, file)
})

t.test('the README\'s discussion allow-list is the code\'s, row for row', async (t) => {
  const start = readme.indexOf('\n## Discussions through the adapter\n')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const rows = [...section.matchAll(/^\| ([a-z0-9.]+) \| ([A-Z]+) \| `([^`]+)` \|$/gm)].map((m) => `${m[2]} ${m[3]} ${m[1]}`)
  t.same(rows, allowList.map((e) => `${e.method} ${e.path} ${e.name}`))
})

t.test('docs/legacy-ui.md\'s route tables are the legacy table\'s, row for row, served and closed', async (t) => {
  const doc = read('docs/legacy-ui.md')
  const rows = [...doc.matchAll(/^\| ([A-Z]+) \| `([^`]+)` \| ([a-z0-9.]+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)
  t.same(rows, [
    ...legacyRoutes.map((r) => `${r.method} ${r.path} legacy.${r.name}`),
    ...closedLegacyRoutes.map((r) => `${r.method} ${r.path} closed`)
  ])
  t.match(readme, /docs\/legacy-ui\.md/, 'the README points to it')
})

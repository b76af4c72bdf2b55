import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildIsStale } from '../../../scripts/nodebb/plugin-build'

t.test('the plugin is built again only when a source is newer than its build', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'plugin-build-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  t.ok(await buildIsStale(root), 'no build: stale')
  for (const d of ['shared', 'adapter', 'plugin/acp', 'build/plugin']) mkdirSync(join(root, d), { recursive: true })
  const old = new Date(Date.now() - 120_000)
  for (const f of ['shared/a.ts', 'plugin/acp/b.ts', 'adapter/c.ts', 'tsconfig.json', 'tsconfig.build.json']) {
    writeFileSync(join(root, f), '')
    utimesSync(join(root, f), old, old)
  }
  writeFileSync(join(root, 'build', 'plugin', 'index.js'), '')
  t.notOk(await buildIsStale(root), 'built after every source')
  writeFileSync(join(root, 'package.json'), '{}')
  writeFileSync(join(root, 'plugin', 'acp', 'notes.md'), '')
  t.notOk(await buildIsStale(root), 'package.json and non-sources do not count')
  writeFileSync(join(root, 'plugin', 'acp', 'b.ts'), '// edited')
  t.ok(await buildIsStale(root), 'an edited source deep down')
})

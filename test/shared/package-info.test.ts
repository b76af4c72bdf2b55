import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { packageInfo, readPackage } from '../../shared/package-info'

const pkg = require('../../package.json') as { name: string, version: string }

t.test('the package name and version come from the repository package.json', async (t) => {
  t.same(packageInfo, { name: pkg.name, version: pkg.version })
})

t.test('walks up past package.json files without a name and version to the first that has both', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'pkginfo-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const inner = join(root, 'a', 'b')
  mkdirSync(inner, { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'outer', version: '9.9.9' }))
  writeFileSync(join(root, 'a', 'package.json'), JSON.stringify({ name: 'no-version' }))
  writeFileSync(join(inner, 'package.json'), '{ not json')
  t.same(readPackage(inner), { name: 'outer', version: '9.9.9' })
})

t.test('says where it looked when no package.json names the package', async (t) => {
  // the filesystem root holds no package.json on a build or CI machine; if one does, this case cannot say anything
  let rootHasOne = true
  try { readPackage('/') } catch { rootHasOne = false }
  if (rootHasOne) { t.pass('this machine has a package.json at /: nothing to say'); return }
  t.throws(() => readPackage('/'), /package\.json not found above \//)
})

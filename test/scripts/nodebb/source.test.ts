import t from 'tap'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { archiveFolders, folderDigest, githubArchive, noArchiveMessage, resolveSource, skippedInFolder } from '../../../scripts/nodebb/source'

const quiet = (): void => {}

function release (root: string, version = '9.9.9'): string {
  const dir = join(root, `nodebb-${version}`)
  mkdirSync(join(dir, 'install'), { recursive: true })
  writeFileSync(join(dir, 'install', 'package.json'), JSON.stringify({ name: 'nodebb', version }))
  writeFileSync(join(dir, 'app.js'), '// app\n')
  return dir
}

t.test('where the default archive is looked for', async (t) => {
  t.same(archiveFolders('/w/repo', {}, null), ['/w/shared/nodebb'])
  t.same(archiveFolders('/tmp/clone', { SUNBIRD_NODEBB_ARCHIVES: '/a' }, '/w/wt'), ['/a', '/tmp/shared/nodebb', '/w/shared/nodebb'], 'the env folder, beside the checkout, beside the local origin')
  t.same(archiveFolders('/tmp/clone', {}, 'file:///w/wt'), ['/tmp/shared/nodebb', '/w/shared/nodebb'])
  t.same(archiveFolders('/tmp/clone', {}, 'https://github.com/x/y.git'), ['/tmp/shared/nodebb'], 'a remote origin adds nothing')
  t.same(archiveFolders('/w/repo', {}, '/w/repo'), ['/w/shared/nodebb'], 'once each')
})

t.test('no archive: the message says how to get one', async (t) => {
  const text = noArchiveMessage('4.15.1', ['/a', '/b'])
  t.match(text, /no NodeBB 4\.15\.1 archive found; looked for nodebb-4\.15\.1\.tar\.gz in:\n {2}\/a\n {2}\/b/)
  t.match(text, githubArchive('4.15.1'))
  t.equal(githubArchive('4.15.1'), 'https://github.com/NodeBB/NodeBB/archive/refs/tags/v4.15.1.tar.gz')
  t.match(text, /--source <folder>/)
})

t.test('archives and folders resolve to a checksum', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'source-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const dir = release(root)
  mkdirSync(join(root, 'shared', 'nodebb'), { recursive: true })
  const archive = join(root, 'shared', 'nodebb', 'nodebb-9.9.9.tar.gz')
  execFileSync('tar', ['-czf', archive, '-C', root, 'nodebb-9.9.9'])
  const checkout = join(root, 'checkout')
  mkdirSync(checkout)

  const found = await resolveSource(null, '9.9.9', checkout, join(root, 'dl'), quiet, {})
  t.same(found, { kind: 'archive', path: archive, sha256: createHash('sha256').update(readFileSync(archive)).digest('hex'), label: archive })
  t.match(await resolveSource(archive, '1.0.0', checkout, join(root, 'dl'), quiet, {}), { kind: 'archive', path: archive }, '--source wins over --release')

  const folder = await resolveSource(dir, '9.9.9', checkout, join(root, 'dl'), quiet, {})
  t.match(folder, { kind: 'folder', path: dir, sha256: await folderDigest(dir) })
  mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true })
  writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), '')
  writeFileSync(join(dir, 'config.json'), '{}')
  t.equal(await folderDigest(dir), folder.sha256, 'what an install or a run adds does not change it')
  writeFileSync(join(dir, 'app.js'), '// changed\n')
  t.not(await folderDigest(dir), folder.sha256, 'a changed source does')

  await t.rejects(resolveSource(null, '1.2.3', checkout, join(root, 'dl'), quiet, {}), /no NodeBB 1\.2\.3 archive found/)
  await t.rejects(resolveSource(join(root, 'none'), '1.2.3', checkout, join(root, 'dl'), quiet, {}), /does not exist/)
  await t.rejects(resolveSource(checkout, '1.2.3', checkout, join(root, 'dl'), quiet, {}), /not a NodeBB release folder/)
})

t.test('what a folder source leaves out', async (t) => {
  for (const p of ['node_modules', '.git', 'build', 'logs', 'config.json', 'package.json', 'package-lock.json', 'pidfile', 'public/uploads', '.sunbird-nodebb-tree.json']) t.ok(skippedInFolder(p), p)
  for (const p of ['src', 'install/package.json', 'public', 'src/build']) t.notOk(skippedInFolder(p), p)
})

import t from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changedInTree, readTree, treeMarker, workingCopy } from '../../../scripts/nodebb/tree'

/** A tree as ensureTree leaves one, in miniature. */
function fakeTree (root: string): string {
  const tree = join(root, 'tree')
  mkdirSync(join(tree, 'node_modules', 'nconf'), { recursive: true })
  mkdirSync(join(tree, 'src'), { recursive: true })
  writeFileSync(join(tree, 'node_modules', 'nconf', 'index.js'), 'module.exports = 1\n')
  writeFileSync(join(tree, 'node_modules', '.package-lock.json'), '{}\n')
  writeFileSync(join(tree, 'src', 'app.js'), '// app\n')
  writeFileSync(join(tree, 'package.json'), '{}\n')
  const past = new Date(Date.now() - 60_000)
  for (const f of ['node_modules/nconf/index.js', 'node_modules/.package-lock.json', 'src/app.js', 'package.json']) utimesSync(join(tree, f), past, past)
  writeFileSync(join(tree, treeMarker), JSON.stringify({ release: '9.9.9' }))
  return tree
}

t.test('a working copy: node_modules hard-linked, the rest and the npm lock copied', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tree-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const tree = fakeTree(root)
  t.match(await readTree(tree), { release: '9.9.9' })
  t.equal(await readTree(root), null)
  const dir = join(root, 'instance')
  await workingCopy(tree, dir)
  const ino = (p: string): number => statSync(p).ino
  t.equal(ino(join(dir, 'node_modules', 'nconf', 'index.js')), ino(join(tree, 'node_modules', 'nconf', 'index.js')), 'a hard link')
  t.not(ino(join(dir, 'node_modules', '.package-lock.json')), ino(join(tree, 'node_modules', '.package-lock.json')), 'npm rewrites it in place: a copy')
  t.not(ino(join(dir, 'package.json')), ino(join(tree, 'package.json')), 'outside node_modules: copies')
  t.equal(readFileSync(join(dir, 'src', 'app.js'), 'utf8'), '// app\n')
  t.throws(() => statSync(join(dir, treeMarker)), 'the marker stays with the tree')

  t.same(await changedInTree(tree), [], 'the tree unchanged')
  writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"changed":1}\n')
  writeFileSync(join(dir, 'package.json'), '{"changed":1}\n')
  t.same(await changedInTree(tree), [], 'writes to the copies leave it alone')
  writeFileSync(join(dir, 'node_modules', 'nconf', 'index.js'), 'changed\n')
  t.same(await changedInTree(tree), [join(tree, 'node_modules', 'nconf', 'index.js')], 'a write through a link is seen')

  await workingCopy(tree, dir)
  t.equal(readFileSync(join(dir, 'package.json'), 'utf8'), '{}\n', 'a second copy replaces the first')
})

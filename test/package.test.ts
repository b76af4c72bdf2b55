import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, normalize } from 'node:path'

/**
 * What `npm pack` ships (and so what the registry, a tarball and a git install get): the build, a
 * licence, the sources the source maps point at, and the fields npm shows.
 */
const root = join(__dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>
const files = new Set((packed[0]?.files ?? []).map((f) => f.path))

t.test('the tarball has the build, the entry points and the licence', async (t) => {
  for (const path of ['build/adapter/server.js', 'build/plugin/index.js', 'plugin.json', 'LICENSE', 'package.json']) t.ok(files.has(path), path)
  t.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/, 'LICENSE is MIT, as package.json says')
  t.equal(pkg.license, 'MIT')
  t.notOk([...files].some((f) => f.startsWith('test/') || f.startsWith('.ci/') || f === '.env'), 'no tests, CI scripts or .env')
})

t.test('every source map in the tarball points at sources it also ships', async (t) => {
  const maps = [...files].filter((f) => f.endsWith('.js.map'))
  t.ok(maps.length > 0, 'the build has source maps')
  const missing: string[] = []
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] }
    for (const source of sources) {
      const path = normalize(join(dirname(map), source))
      if (!files.has(path)) missing.push(`${map} -> ${path}`)
    }
  }
  t.same(missing, [], 'no map names a source left out')
})

t.test('npm shows where the project lives and which Node it runs on', async (t) => {
  t.match(pkg.repository, { type: 'git', url: /^git\+https:\/\// })
  t.match(pkg.bugs, { url: /^https:\/\// })
  t.match(pkg.homepage, /^https:\/\//)
  t.match(pkg.engines, { node: /^>=22/ })
  t.equal(readFileSync(join(root, '.nvmrc'), 'utf8').trim(), (pkg.engines as { node: string }).node.replace(/^>=(\d+).*/, '$1'), '.nvmrc names the oldest supported major')
})

t.test('npm start runs the build directly (no build step, signals reach the adapter)', async (t) => {
  const scripts = pkg.scripts as Record<string, string>
  t.equal(scripts.prestart, undefined, 'no prestart build')
  t.match(scripts.start, /^exec node /, 'the shell execs node, so npm\'s SIGTERM reaches it')
  t.match(scripts.prepare, /scripts\/prepare\.js/, 'the build runs at install')
  // npm runs prepare for a tarball or git install when the installer allows it: the script must be there
  t.ok(files.has('scripts/prepare.js'), 'the tarball ships the prepare script')
})

t.test('prepare without TypeScript (npm ci --omit=dev): keeps a build, or says what to do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prepare-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'scripts'))
  copyFileSync(join(root, 'scripts', 'prepare.js'), join(dir, 'scripts', 'prepare.js'))
  const run = () => spawnSync(process.execPath, [join(dir, 'scripts', 'prepare.js')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })
  const none = run()
  t.equal(none.status, 1, 'no build, no TypeScript: fails')
  t.match(none.stderr, /build\/ is missing and TypeScript is not installed.*\n.*npm ci/s, 'and says what to do')
  mkdirSync(join(dir, 'build', 'adapter'), { recursive: true })
  writeFileSync(join(dir, 'build', 'adapter', 'server.js'), '')
  const kept = run()
  t.equal(kept.status, 0, kept.stderr)
  t.match(kept.stdout, /using the build\/ already here/)
})

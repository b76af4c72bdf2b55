import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The checkout this tool belongs to (scripts/nodebb/ -> the repo root). */
export const repoRoot = join(__dirname, '..', '..')

/**
 * Everything big lives outside the checkout: `$SUNBIRD_NODEBB_CACHE`, else
 * `$XDG_CACHE_HOME/sunbird-nodebb` (`~/.cache/...`).
 *   trees/<sha256>/        an installed release (npm install done), keyed by its archive's checksum
 *   downloads/<sha256>.tar.gz   archives fetched from a URL, keyed by the URL
 *   instances/<id>/        one running NodeBB: a working copy of a tree, with its own config and build
 */
export function cacheRoot (env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const own = env.SUNBIRD_NODEBB_CACHE
  if (own !== undefined && own !== '') return own
  const xdg = env.XDG_CACHE_HOME
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.cache'), 'sunbird-nodebb')
}

export interface Layout {
  cache: string
  trees: string
  downloads: string
  instances: string
  /** In the checkout (gitignored): `<name>.json` (state), `<name>.env` (settings), `<name>.log` (what up did). */
  local: string
}

export function layout (cache: string, checkout: string = repoRoot): Layout {
  return { cache, trees: join(cache, 'trees'), downloads: join(cache, 'downloads'), instances: join(cache, 'instances'), local: join(checkout, '.nodebb') }
}

/** Instances of two checkouts may share a name: the id adds the checkout's path. */
export function instanceId (name: string, checkout: string): string {
  return `${name}-${createHash('sha256').update(checkout).digest('hex').slice(0, 8)}`
}

/** A PostgreSQL database name of this tool's (`sbnb_` prefix, lower case, at most 63 bytes). */
export function postgresDatabase (id: string): string {
  return ('sbnb_' + id.toLowerCase().replace(/[^a-z0-9_]/g, '_')).slice(0, 63)
}

export const settingsFile = (local: string, name: string): string => join(local, `${name}.env`)
export const stateFile = (local: string, name: string): string => join(local, `${name}.json`)
export const upLogFile = (local: string, name: string): string => join(local, `${name}.log`)

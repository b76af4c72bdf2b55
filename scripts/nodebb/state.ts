import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { DatabaseClaim } from './setup-config'

/**
 * What `up` leaves for `down` and `status`: in the checkout (`.nodebb/<name>.json`) and beside the
 * working copy in the cache (`instances/<id>.json`), so `status` sees other checkouts' instances too.
 */
export interface InstanceState {
  name: string
  id: string
  checkout: string
  release: string
  /** the cached tree the working copy came from */
  tree: string
  /** the working copy NodeBB runs in */
  dir: string
  port: number
  db: DatabaseClaim
  /** NodeBB's loader (its pidfile); null until it started */
  pid: number | null
  node: string
  startedAt: string | null
  phase: 'setting-up' | 'running' | 'stopped'
}

export function writeState (paths: string[], state: InstanceState): void {
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, JSON.stringify(state, null, 2) + '\n')
  }
}

export function readState (path: string): InstanceState | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as InstanceState
  } catch {
    return null
  }
}

export function removeFiles (paths: string[]): void {
  for (const path of paths) rmSync(path, { force: true })
}

/** Every `*.json` state in a folder. */
export function statesIn (folder: string): InstanceState[] {
  let names: string[]
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.json'))
  } catch {
    return []
  }
  return names.map((n) => readState(join(folder, n))).filter((s): s is InstanceState => s !== null && typeof s.id === 'string')
}

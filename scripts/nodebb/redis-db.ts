import { existsSync } from 'node:fs'
import { createClient } from 'redis'

/**
 * A Redis database index of the instance's own. The local Redis is shared (other checkouts, other
 * people's instances, the unit tests), so `up` claims an index only when it is empty, by writing a
 * marker key there (SET NX: two runs never claim the same one), and flushes only an index whose
 * marker is this tool's. A marker left by a checkout that no longer exists (a CI clone, deleted)
 * frees its index for the next claim.
 */
export const markerKey = 'sunbird-nodebb:owner'
export const markerTool = 'sunbird-nodebb'

export interface Marker {
  tool: typeof markerTool
  /** instanceId(name, checkout) */
  instance: string
  checkout: string
  created: string
}

export interface IndexState {
  index: number
  keys: number
  /** The marker, when the index holds one of this tool's; null otherwise. */
  marker: Marker | null
}

export type Pick =
  | { index: number, how: 'own' | 'empty' | 'stale' }
  | { error: string }

export function parseMarker (text: string | null): Marker | null {
  if (text === null) return null
  try {
    const m = JSON.parse(text) as Partial<Marker>
    if (m.tool === markerTool && typeof m.instance === 'string' && typeof m.checkout === 'string') return m as Marker
  } catch {}
  return null
}

/**
 * Which index to use, in the order `candidates` lists them: the instance's own (it ran before),
 * else the first empty one, else the first whose marker names a checkout that is gone.
 */
export function pickIndex (states: IndexState[], instance: string, checkoutExists: (path: string) => boolean = existsSync): Pick {
  const own = states.find((s) => s.marker?.instance === instance)
  if (own !== undefined) return { index: own.index, how: 'own' }
  const empty = states.find((s) => s.keys === 0)
  if (empty !== undefined) return { index: empty.index, how: 'empty' }
  const stale = states.find((s) => s.marker !== null && !checkoutExists(s.marker.checkout))
  if (stale !== undefined) return { index: stale.index, how: 'stale' }
  const seen = states.map((s) => `${s.index}: ${s.marker === null ? `${s.keys} keys, not this tool's` : `instance ${s.marker.instance} of ${s.marker.checkout}`}`)
  return { error: `no free Redis database among ${states.map((s) => s.index).join(', ')} (${seen.join('; ')}); name others with --redis-db, or stop an instance with down` }
}

const clientOf = (url: string, index: number) => createClient({ url, database: index, socket: { reconnectStrategy: false, connectTimeout: 5000 } })
type Client = ReturnType<typeof clientOf>

async function withIndex<T> (url: string, index: number, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = clientOf(url, index)
  client.on('error', () => {})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

export async function indexStates (url: string, indexes: number[]): Promise<IndexState[]> {
  const out: IndexState[] = []
  for (const index of indexes) {
    out.push(await withIndex(url, index, async (c) => ({ index, keys: await c.dbSize(), marker: parseMarker(await c.get(markerKey)) })))
  }
  return out
}

/**
 * Claims an index for `marker.instance` and leaves it holding the marker alone. An index of the
 * instance's own or a stale one is flushed (it is this tool's); an empty one is claimed with SET NX
 * and checked to hold nothing else, else the next candidate is tried.
 */
export async function claimIndex (url: string, indexes: number[], marker: Marker): Promise<number> {
  const tried = new Set<number>()
  for (;;) {
    const states = (await indexStates(url, indexes)).filter((s) => !tried.has(s.index))
    const pick = pickIndex(states, marker.instance)
    if ('error' in pick) throw new Error(pick.error)
    tried.add(pick.index)
    const claimed = await withIndex(url, pick.index, async (c) => {
      if (pick.how !== 'empty') {
        // only ever an index whose marker is this tool's (checked again here, just before)
        if (parseMarker(await c.get(markerKey)) === null) return false
        await c.flushDb()
      }
      const set = await c.set(markerKey, JSON.stringify(marker), { condition: 'NX' })
      if (set !== 'OK') return false
      if (await c.dbSize() !== 1) {
        await c.del(markerKey)
        return false
      }
      return true
    })
    if (claimed) return pick.index
  }
}

/** Empties an index this instance claimed (marker and all). Refuses one that is not its own. */
export async function releaseIndex (url: string, index: number, instance: string): Promise<void> {
  await withIndex(url, index, async (c) => {
    const marker = parseMarker(await c.get(markerKey))
    if (marker?.instance !== instance) throw new Error(`Redis database ${index} is not marked as instance ${instance}'s; left alone`)
    await c.flushDb()
  })
}

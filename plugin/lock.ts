import { ApiError } from '../shared/errors'
import { keys } from './store'
import type { Db } from './platform'

export interface LockOptions {
  /** Give up (409 CONFLICT) after waiting this long. */
  waitMs?: number
  /** A lock whose holder stopped refreshing it this long ago belongs to a dead process and is broken. */
  staleMs?: number
  /** The clock the holder's refresh times are written and compared in. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  onReleaseError?: (err: unknown) => void
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Serialises work on one name across every NodeBB process: a counter in NodeBB's database (the
 * same pattern NodeBB uses for its own `locks`), so it holds on Redis, MongoDB and PostgreSQL alike.
 * Acquire = the increment that makes it 1; a waiter takes its increment back and retries. The
 * holder refreshes the lock's time while it works, so a long piece of work keeps its lock and the
 * lock of a process that died (NodeBB restarted mid-write) is broken once it is stale.
 */
export async function withLock<T> (db: Db, name: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? defaultSleep
  const waitMs = options.waitMs ?? 15000
  const staleMs = options.staleMs ?? 30000
  const started = now()
  let delay = 5
  for (;;) {
    const count = await db.incrObjectFieldBy(keys.locks, name, 1)
    if (count === 1) break
    await db.incrObjectFieldBy(keys.locks, name, -1)
    const since = Number(await db.getObjectField(keys.locks, `${name}:at`) ?? 0)
    if (since === 0) {
      // held, but its holder never wrote when (it died between the two writes): start the clock
      // now, so the lock is broken as stale later rather than never
      await db.setObjectField(keys.locks, `${name}:at`, now())
    } else if (now() - since > staleMs) {
      await db.deleteObjectField(keys.locks, name)
      await db.deleteObjectField(keys.locks, `${name}:at`)
      continue
    }
    if (now() - started > waitMs) throw new ApiError('CONFLICT', 'The forum is being changed by another request; try again')
    await sleep(delay)
    delay = Math.min(delay * 2, 200)
  }
  const refresh = setInterval(() => { db.setObjectField(keys.locks, `${name}:at`, now()).catch(() => {}) }, Math.max(50, Math.floor(staleMs / 6)))
  refresh.unref()
  try {
    await db.setObjectField(keys.locks, `${name}:at`, now())
    return await fn()
  } finally {
    clearInterval(refresh)
    // releasing is best effort: the work is done (or undone) either way, and a lock left behind
    // is broken as stale after staleMs
    try {
      await db.deleteObjectField(keys.locks, `${name}:at`)
      await db.incrObjectFieldBy(keys.locks, name, -1)
    } catch (err) {
      options.onReleaseError?.(err)
    }
  }
}

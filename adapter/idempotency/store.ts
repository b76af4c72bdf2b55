/**
 * Idempotency records, one per msgid: first a pending marker (a lease, so a crashed request
 * cannot block its msgid for the whole TTL), then the response the first request got.
 */

/** The first answer to a msgid, replayed byte for byte. */
export interface StoredResponse {
  status: number
  /** The serialized envelope exactly as first sent (same resmsgid and ets). */
  body: string
  err: string | null
}

export type Claim =
  /** This request owns the msgid: run it, then complete or release. */
  | { kind: 'claimed', marker: string }
  /** Another request with this msgid is still running. */
  | { kind: 'pending', fingerprint: string }
  /** A request with this msgid has finished. */
  | { kind: 'done', fingerprint: string, response: StoredResponse }

export interface IdempotencyStore {
  readonly kind: 'memory' | 'redis'
  /** Claims `key` for `fingerprint` (atomic: of concurrent claims exactly one wins) or reports its state. */
  claim: (key: string, fingerprint: string, leaseMs: number) => Promise<Claim>
  /** Stores the response, unless another request took the key over since (its lease ran out). */
  complete: (key: string, marker: string, fingerprint: string, response: StoredResponse, ttlMs: number) => Promise<void>
  /** Frees the key for a retry (the request failed in a way worth retrying), if still ours. */
  release: (key: string, marker: string) => Promise<void>
}

interface PendingValue { state: 'pending', fingerprint: string, owner: string }
interface DoneValue { state: 'done', fingerprint: string, response: StoredResponse }

export function pendingValue (fingerprint: string, owner: string): string {
  return JSON.stringify({ state: 'pending', fingerprint, owner } satisfies PendingValue)
}

export function doneValue (fingerprint: string, response: StoredResponse): string {
  return JSON.stringify({ state: 'done', fingerprint, response } satisfies DoneValue)
}

/** A stored value -> what a second claim sees; an unreadable value reads as a conflict, never a replay. */
export function readValue (value: string): Claim {
  try {
    const parsed = JSON.parse(value) as PendingValue | DoneValue
    if (parsed.state === 'done' && typeof parsed.response?.body === 'string') return { kind: 'done', fingerprint: parsed.fingerprint, response: parsed.response }
    if (parsed.state === 'pending') return { kind: 'pending', fingerprint: parsed.fingerprint }
  } catch {}
  return { kind: 'pending', fingerprint: '' }
}

export { canonicalJson, fingerprint } from '../../shared/canonical-json'

import { packageInfo } from '../../shared/package-info'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { Activity } from '../../shared/schemas/activity'
import { isApiError } from '../../shared/errors'
import type { Db } from '../platform'
import { withLock } from '../lock'
import { Agent, fetch as undiciFetch } from 'undici'
import { guardedLookup, literalAddressProblem } from './webhook-address'

/**
 * Webhook delivery from a durable outbox in NodeBB's database: each delivery (one activity to one
 * subscriber URL) is an object, and its id sits in `sunbird:webhooks:outbox` scored by its next
 * attempt time. A worker (every NodeBB process runs one; a database lock lets one at a time work)
 * sends what is due, removes what succeeded and reschedules what failed with exponential backoff,
 * so a delivery survives restarts and is sent at least once. Receivers dedupe on `x-sunbird-delivery`.
 */
export const webhookKeys = {
  outbox: 'sunbird:webhooks:outbox',
  delivery: (id: string) => `sunbird:webhooks:delivery:${id}`,
  /** Per subscriber: its pending deliveries (for the backlog) and its delivery state. */
  pending: (url: string) => `sunbird:webhooks:pending:${urlKey(url)}`,
  state: (url: string) => `sunbird:webhooks:state:${urlKey(url)}`
} as const

function urlKey (url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 24)
}

export const signatureHeader = 'x-sunbird-signature'
export const timestampHeader = 'x-sunbird-timestamp'
export const deliveryHeader = 'x-sunbird-delivery'

/**
 * `sha256=<hex HMAC-SHA256 of "<delivery id>.<timestamp>.<body>">` with the webhook secret. The
 * timestamp (Unix seconds, sent as x-sunbird-timestamp) and the delivery id are signed with the
 * body, so a receiver that checks the timestamp is recent and the id is new refuses a replay.
 */
export function sign (secret: string, id: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex')}`
}

export interface WebhookConfig { urls: string[], secret: string, allowPrivate: boolean }

/** Node's fetch with the connection's address checked (see webhook-address.ts). */
function guardedFetch (allowPrivate: () => boolean): typeof fetch {
  const agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate) } })
  return ((input: string, init: RequestInit) => undiciFetch(input, { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch
}

export interface OutboxOptions {
  now?: () => number
  /** How many attempts before a delivery is dropped (and counted). */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  timeoutMs?: number
  /** Deliveries sent per worker pass (in parallel). */
  batch?: number
  random?: () => number
  log?: (msg: string, err?: unknown) => void
  /** fetch, injectable for tests. */
  fetch?: typeof fetch
}

export interface SubscriberStatus {
  url: string
  backlog: number
  delivered: number
  failedAttempts: number
  dropped: number
  lastSuccessAt: number | null
  lastErrorAt: number | null
  lastError: string | null
}

export interface WebhookStatus {
  subscribers: SubscriberStatus[]
  /** Deliveries waiting, all subscribers (also those of subscribers since removed, until dropped). */
  backlog: number
}

const numOrNull = (v: string | null | undefined): number | null => v === null || v === undefined || v === '' ? null : Number(v)

export class WebhookOutbox {
  private allowPrivate = false
  private readonly fetch: typeof fetch

  constructor (private readonly db: Db, private readonly config: () => Promise<WebhookConfig>, private readonly options: OutboxOptions = {}) {
    this.fetch = options.fetch ?? guardedFetch(() => this.allowPrivate)
  }

  private now (): number { return (this.options.now ?? Date.now)() }

  /** One delivery per subscriber configured now; nothing when none is. */
  async enqueue (activity: Activity): Promise<number> {
    const { urls } = await this.config()
    const now = this.now()
    const body = JSON.stringify({ event: activity.verb, activity })
    for (const url of urls) {
      const id = `${now.toString(36)}${randomBytes(6).toString('hex')}`
      await this.db.setObject(webhookKeys.delivery(id), { id, url, body, event: activity.verb, attempts: 0, createdAt: now })
      await this.db.sortedSetAdd(webhookKeys.pending(url), now, id)
      await this.db.sortedSetAdd(webhookKeys.outbox, now, id)
    }
    return urls.length
  }

  /** Sends what is due, once; a pass another process is running is skipped. */
  async deliverDue (): Promise<{ sent: number, failed: number }> {
    try {
      return await withLock(this.db, 'webhooks', { waitMs: 0, staleMs: 5 * 60_000 }, () => this.pass())
    } catch (err) {
      if (isApiError(err) && err.code === 'CONFLICT') return { sent: 0, failed: 0 }
      throw err
    }
  }

  private async pass (): Promise<{ sent: number, failed: number }> {
    const config = await this.config()
    this.allowPrivate = config.allowPrivate
    const ids = await this.db.getSortedSetRangeByScore(webhookKeys.outbox, 0, this.options.batch ?? 20, '-inf', this.now())
    const outcomes = await Promise.all(ids.map((id) => this.attempt(id, config)))
    return { sent: outcomes.filter((o) => o === 'sent').length, failed: outcomes.filter((o) => o === 'failed').length }
  }

  private async attempt (id: string, config: WebhookConfig): Promise<'sent' | 'failed' | 'dropped'> {
    const raw = await this.db.getObject(webhookKeys.delivery(id))
    if (raw === null || raw.url === undefined || raw.body === undefined) {
      await this.db.sortedSetRemove(webhookKeys.outbox, id)
      return 'dropped'
    }
    const url = raw.url
    // a subscriber removed in the ACP, or the secret cleared: its deliveries are dropped, not sent unsigned
    if (!config.urls.includes(url) || config.secret === '') return this.finish(id, url, 'dropped', 'the subscriber is no longer configured')
    const attempts = Number(raw.attempts ?? 0) + 1
    let error: string | null = literalAddressProblem(new URL(url), config.allowPrivate)
    const timestamp = Math.floor(this.now() / 1000)
    try {
      if (error !== null) throw new Error(error)
      const res = await this.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `${packageInfo.name}/${packageInfo.version}`,
          'x-sunbird-event': raw.event ?? '',
          [deliveryHeader]: id,
          [timestampHeader]: String(timestamp),
          [signatureHeader]: sign(config.secret, id, timestamp, raw.body)
        },
        body: raw.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000)
      })
      await res.body?.cancel().catch(() => {})
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`
    } catch (err) {
      error ??= err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : (err.cause instanceof Error ? err.cause.message : err.message)) : String(err)
    }
    if (error === null) return this.finish(id, url, 'sent', null)
    const now = this.now()
    await this.db.setObject(webhookKeys.state(url), { url, lastErrorAt: now, lastError: error.slice(0, 300) })
    await this.db.incrObjectFieldBy(webhookKeys.state(url), 'failedAttempts', 1)
    if (attempts >= (this.options.maxAttempts ?? 15)) {
      this.options.log?.(`[sunbird] webhook delivery ${id} to ${url} dropped after ${attempts} attempts: ${error}`)
      return this.finish(id, url, 'dropped', error)
    }
    const base = this.options.baseDelayMs ?? 10_000
    const delay = Math.min(base * 2 ** (attempts - 1), this.options.maxDelayMs ?? 3_600_000)
    // jitter (50-100 %) so that a subscriber coming back is not hit by every delivery at once
    const next = now + Math.round(delay * (0.5 + (this.options.random ?? Math.random)() / 2))
    await this.db.setObject(webhookKeys.delivery(id), { attempts })
    await this.db.sortedSetAdd(webhookKeys.outbox, next, id)
    return 'failed'
  }

  private async finish (id: string, url: string, outcome: 'sent' | 'dropped', error: string | null): Promise<'sent' | 'dropped'> {
    const now = this.now()
    if (outcome === 'sent') {
      await this.db.setObject(webhookKeys.state(url), { url, lastSuccessAt: now })
      await this.db.incrObjectFieldBy(webhookKeys.state(url), 'delivered', 1)
    } else {
      await this.db.setObject(webhookKeys.state(url), { url, ...(error === null ? {} : { lastError: error.slice(0, 300), lastErrorAt: now }) })
      await this.db.incrObjectFieldBy(webhookKeys.state(url), 'dropped', 1)
    }
    await this.db.sortedSetRemove(webhookKeys.outbox, id)
    await this.db.sortedSetRemove(webhookKeys.pending(url), id)
    await this.db.delete(webhookKeys.delivery(id))
    return outcome
  }

  /** Delivery state of every configured subscriber: last success, last error, backlog. */
  async status (): Promise<WebhookStatus> {
    const { urls } = await this.config()
    const [backlogs, states, total] = await Promise.all([
      this.db.sortedSetsCard(urls.map(webhookKeys.pending)),
      this.db.getObjects(urls.map(webhookKeys.state)),
      this.db.sortedSetsCard([webhookKeys.outbox])
    ])
    return {
      subscribers: urls.map((url, i) => {
        const s = states[i] ?? {}
        return {
          url,
          backlog: backlogs[i] ?? 0,
          delivered: Number(s.delivered ?? 0),
          failedAttempts: Number(s.failedAttempts ?? 0),
          dropped: Number(s.dropped ?? 0),
          lastSuccessAt: numOrNull(s.lastSuccessAt),
          lastErrorAt: numOrNull(s.lastErrorAt),
          lastError: s.lastError ?? null
        }
      }),
      backlog: total[0] ?? 0
    }
  }
}

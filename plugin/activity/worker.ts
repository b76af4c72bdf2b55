import { activityHooks } from './events'
import type { ActivityService } from './service'

export interface ActivityWorkerOptions {
  log: (msg: string, err?: unknown) => void
  /** Webhook delivery cadence, and the pass that follows a queued activity. */
  deliverEveryMs?: number
  deliverSoonMs?: number
  /** Retention trim cadence. */
  trimEveryMs?: number
}

/**
 * The activity's background work inside NodeBB: recording NodeBB's action hooks, a webhook delivery
 * pass every few seconds (and one soon after something is queued), and the retention trim every
 * hour. The service is built on first use, so the worker takes it as a getter.
 */
export class ActivityWorker {
  private timers: NodeJS.Timeout[] = []
  private soon: NodeJS.Timeout | null = null

  constructor (private readonly activity: () => ActivityService, private readonly options: ActivityWorkerOptions) {}

  /**
   * One handler per NodeBB action hook in activityHooks, by its method name (plugin.json names them):
   * fire and forget, so recording never slows or fails a post; a failure is logged.
   */
  hookHandlers (): Record<string, (payload: unknown) => Promise<void>> {
    return Object.fromEntries(Object.entries(activityHooks).map(([hook, { method }]) => [method, async (payload: unknown) => {
      this.activity().onHook(hook, payload).catch((err: unknown) => this.options.log(`[sunbird] could not record ${hook}`, err))
    }]))
  }

  deliver (): void {
    this.activity().outbox.deliverDue().catch((err: unknown) => this.options.log('[sunbird] webhook delivery pass failed', err))
  }

  /** A delivery pass shortly, once however many activities are queued meanwhile. */
  deliverSoon (): void {
    this.soon ??= setTimeout(() => { this.soon = null; this.deliver() }, this.options.deliverSoonMs ?? 200)
  }

  trim (): void {
    const a = this.activity()
    a.retention().then((r) => a.log.trim(r)).catch((err: unknown) => this.options.log('[sunbird] activity trim failed', err))
  }

  /** Starts the timers (again, after a reload of the plugin). */
  start (): void {
    this.stop()
    // unref: NodeBB 4 fires no shutdown hook; the timers must not keep a stopping process alive
    this.timers = [
      setInterval(() => this.deliver(), this.options.deliverEveryMs ?? 5000),
      setInterval(() => this.trim(), this.options.trimEveryMs ?? 60 * 60 * 1000)
    ]
    for (const timer of this.timers) timer.unref()
  }

  stop (): void {
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
    if (this.soon !== null) clearTimeout(this.soon)
    this.soon = null
  }
}

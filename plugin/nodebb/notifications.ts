import type { NotificationInput } from '../platform'
import { nodebbRequire } from './require'

/** NodeBB 4's notifications module, as far as the plugin uses it (src/notifications.js). */
interface NotificationsModule {
  create: (data: Record<string, unknown>) => Promise<Record<string, unknown> | null>
  push: (notification: Record<string, unknown>, uids: number[]) => Promise<void>
  markReadMultiple: (nids: string[], uid: number) => Promise<void>
  markAllRead: (uid: number) => Promise<void>
}

interface TranslatorModule {
  translate: (text: string, language?: string) => Promise<string>
}

/** The notification type NodeBB files ours under (a user's per-type setting defaults to the bell). */
export const notificationType = 'sunbird'

/**
 * NodeBB's push (src/notifications.js) returns at once and pushes later on the same process: after
 * 500 ms, 500 users at a time, one batch a second, each batch ending with `action:notification.pushed`
 * (unless every user of it was filtered out). A send waits for those, bounded by the schedule.
 */
export interface PushSchedule { batch: number, delayMs: number, intervalMs: number, slackMs: number }
const nodebbSchedule: PushSchedule = { batch: 500, delayMs: 500, intervalMs: 1000, slackMs: 3000 }

interface Waiter { batches: number, seen: number, notified: number, done: (notified: number) => void }
const waiters = new Map<string, Waiter>()

/** `action:notification.pushed`: one batch of a push has landed. */
export function notePushed (payload: { notification?: { nid?: unknown }, uidsNotified?: unknown }): void {
  const nid = payload.notification?.nid
  if (typeof nid !== 'string') return
  const waiter = waiters.get(nid)
  if (waiter === undefined) return
  waiter.seen++
  waiter.notified += Array.isArray(payload.uidsNotified) ? payload.uidsNotified.length : 0
  if (waiter.seen >= waiter.batches) waiter.done(waiter.notified)
}

function awaitPush (nid: string, uids: number, schedule: PushSchedule): { landed: Promise<number>, cancel: () => void } {
  const batches = Math.ceil(uids / schedule.batch)
  let timer: NodeJS.Timeout | undefined
  let cancel = (): void => {}
  const landed = new Promise<number>((resolve) => {
    const waiter: Waiter = {
      batches,
      seen: 0,
      notified: 0,
      done: (notified) => {
        clearTimeout(timer)
        waiters.delete(nid)
        resolve(notified)
      }
    }
    waiters.set(nid, waiter)
    // a batch whose every user was filtered out fires no hook: stop waiting when the schedule is over
    timer = setTimeout(() => waiter.done(waiter.notified), schedule.delayMs + batches * schedule.intervalMs + schedule.slackMs)
    cancel = () => waiter.done(0)
  })
  return { landed, cancel }
}

/** Typed wrappers over NodeBB's notifications module and translator (`schedule`: NodeBB's push timing, for tests). */
export function nodebbNotifications (language: () => string, schedule: PushSchedule = nodebbSchedule): {
  send: (input: NotificationInput, uids: number[]) => Promise<number>
  markRead: (uid: number, nids: string[]) => Promise<void>
  markAllRead: (uid: number) => Promise<void>
  translate: (texts: string[]) => Promise<string[]>
} {
  const notifications = nodebbRequire<NotificationsModule>('./src/notifications')
  const translator = nodebbRequire<TranslatorModule>('./src/translator')
  return {
    async send (input, uids) {
      const created = await notifications.create({
        type: notificationType,
        nid: input.nid,
        bodyShort: input.title,
        bodyLong: input.body,
        ...(input.path === null ? {} : { path: input.path }),
        ...(input.fromUid > 0 ? { from: input.fromUid } : {})
      })
      // a filter:notifications.create hook may drop it; then there is nothing to push
      if (created === null || uids.length === 0) return 0
      const wait = awaitPush(input.nid, uids.length, schedule)
      try {
        await notifications.push(created, uids)
      } catch (err) {
        wait.cancel()
        throw err
      }
      return wait.landed
    },
    markRead: (uid, nids) => notifications.markReadMultiple(nids, uid),
    markAllRead: (uid) => notifications.markAllRead(uid),
    translate: (texts) => Promise.all(texts.map((t) => translator.translate(t, language())))
  }
}

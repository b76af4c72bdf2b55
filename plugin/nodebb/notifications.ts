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

/** Typed wrappers over NodeBB's notifications module and translator. */
export function nodebbNotifications (language: () => string): {
  send: (input: NotificationInput, uids: number[]) => Promise<void>
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
      if (created !== null) await notifications.push(created, uids)
    },
    markRead: (uid, nids) => notifications.markReadMultiple(nids, uid),
    markAllRead: (uid) => notifications.markAllRead(uid),
    translate: (texts) => Promise.all(texts.map((t) => translator.translate(t, language())))
  }
}

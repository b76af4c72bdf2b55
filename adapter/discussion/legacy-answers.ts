/**
 * Sunbird's existing UI reads answers in the shapes the old stack gave them (docs/legacy-ui.md).
 * These pure functions turn NodeBB 4's answers into those shapes; legacy-handlers.ts does the I/O.
 */

type Json = Record<string, unknown>

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What nodebb-plugin-write-api v2 said before its reason, by status (the UI shows the text after `|`). */
const v2Preambles: Record<number, { code: string, message: string }> = {
  400: { code: 'bad-request', message: 'Something was wrong with the request payload you passed in.' },
  401: { code: 'not-authorised', message: 'A valid login session was not found. Please log in and try again.' },
  403: { code: 'forbidden', message: 'You are not authorised to make this call' },
  404: { code: 'not-found', message: 'Invalid API call' }
}
const v2Internal = { code: 'internal-server-error', message: 'An unexpected error was encountered while attempting to service your request.' }

/**
 * A v3 answer -> the v2 body. A success is `{ code: 'ok', payload }` with v3's `response`; a
 * failure is `{ code, message: '<what v2 said> | <NodeBB's reason>', params }`, as the write API
 * v2 answered and the UI splits on `|`.
 */
export function v2Body (status: number, v3: unknown): Json {
  const response = isObject(v3) ? v3.response : undefined
  if (status >= 200 && status < 300) return { code: 'ok', payload: response ?? {} }
  const reason = isObject(v3) && isObject(v3.status) && typeof v3.status.message === 'string' ? v3.status.message : ''
  const preamble = v2Preambles[status] ?? v2Internal
  return { code: preamble.code, message: reason === '' ? preamble.message : `${preamble.message} | ${reason}`, params: {} }
}

/** The translation keys NodeBB 4 puts in place of a deleted post's content and a deleted topic's title, for a user who may not see them. */
export const deletedPostKey = '[[topic:post-is-deleted]]'
export const deletedTopicKey = '[[topic:topic-is-deleted]]'

const isDeleted = (row: Json): boolean => row.deleted !== undefined && row.deleted !== 0 && row.deleted !== false && row.deleted !== '0'

/** A list without the rows NodeBB hid behind `key` in `field`; the same array when there are none. */
function withoutHidden (rows: unknown[], field: string, key: string): unknown[] {
  const kept = rows.filter((row) => !(isObject(row) && isDeleted(row) && row[field] === key))
  return kept.length === rows.length ? rows : kept
}

/**
 * A page without the deleted posts and topics the user may not see. NodeBB 4 keeps them in its
 * lists with their content or title replaced by a translation key, which its own templates
 * translate and a JSON client shows raw; under write API v2 the UI's deletes purged, so they were
 * simply gone. The owner and moderators (`posts:view_deleted`) still get them, with `deleted` set.
 */
export function withoutHiddenDeleted (page: unknown): unknown {
  if (!isObject(page)) return page
  const posts = Array.isArray(page.posts) ? withoutHidden(page.posts, 'content', deletedPostKey) : page.posts
  const topics = Array.isArray(page.topics) ? withoutHidden(page.topics, 'title', deletedTopicKey) : page.topics
  return posts === page.posts && topics === page.topics ? page : { ...page, ...(posts === undefined ? {} : { posts }), ...(topics === undefined ? {} : { topics }) }
}

export interface TagScore { value: string, score: number, [field: string]: unknown }

/**
 * `/forum/tags`: every tag on the topics of these category pages, with `score` the number of
 * topics carrying it (first seen first), as nodebb-plugin-sunbird-api counted them.
 */
export function contextTagsResult (pages: unknown[]): TagScore[] {
  const byValue = new Map<string, TagScore>()
  for (const page of pages) {
    if (!isObject(page) || !Array.isArray(page.topics)) continue
    for (const topic of page.topics) {
      if (!isObject(topic) || !Array.isArray(topic.tags)) continue
      for (const tag of topic.tags) {
        if (!isObject(tag) || typeof tag.value !== 'string') continue
        const seen = byValue.get(tag.value)
        if (seen === undefined) byValue.set(tag.value, { ...tag, value: tag.value, score: 1 })
        else seen.score++
      }
    }
  }
  return [...byValue.values()]
}

/** `/tags/list`: the tag page's topics that belong to one of these categories. */
export function tagTopicsResult (tagPage: unknown, cids: readonly number[]): unknown[] {
  if (!isObject(tagPage) || !Array.isArray(tagPage.topics)) return []
  const wanted = new Set(cids)
  return tagPage.topics.filter((topic) => isObject(topic) && wanted.has(Number(topic.cid)))
}

/** `/forum/v2/read`: one row per forum of each context, as the old plugin's mapping rows. */
export function forumReadResult (found: Array<{ type: string, identifier: string, cids: number[] }>): Array<{ sbType: string, sbIdentifier: string, cid: number }> {
  return found.flatMap(({ type, identifier, cids }) => cids.map((cid) => ({ sbType: type, sbIdentifier: identifier, cid })))
}

/** `/user/v1/create`: what nodebb-plugin-sunbird-oidc answered, for a new and an existing user alike. */
export function userCreateResult (uid: number, userSlug: string | null, userName: string): { userId: { uid: number }, userSlug: string | null, userName: string } {
  return { userId: { uid }, userSlug, userName }
}

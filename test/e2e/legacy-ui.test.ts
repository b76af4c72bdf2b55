import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, testConfig } from '../helper'
import { apiRsaToken, callerHeaders, userToken } from '../tokens'
import { callNodebb, nodebbTarget, skipReason, type NodebbTarget } from './nodebb'

/**
 * Sunbird's existing discussions UI and portal on a real NodeBB 4, replayed call by call as their
 * sources send them (path, method, body; both tokens; JSON content type on every call), through the
 * adapter with a client consumer and each user's own token, checking the fields the components read.
 *
 * Sources (each call below names its own):
 *   CS      Sunbird-Ed/sunbird-client-services src/services/discussion/implementation/discussion-service-impl.ts
 *           (npm @project-sunbird/client-services 8.1.4: CsDiscussionService, apiPath '/discussion')
 *   UI      Sunbird-Lern/discussions-UI projects/discussion-ui/src/lib/components/<name>/<name>.component.ts
 *           (npm @project-sunbird/discussions-ui 8.0.4, fesm2020 bundle)
 *   PORTAL  Sunbird-Ed/SunbirdEd-portal src/app/client/src/app/modules/...
 */
const target = nodebbTarget()

if (target === null) {
  t.plan(0, skipReason)
} else {
  t.test('Sunbird\'s existing UI and portal, replayed on a real NodeBB', async (t) => run(t, target))
}

const CS = 'Sunbird-Ed/sunbird-client-services src/services/discussion/implementation/discussion-service-impl.ts'
const UI = (name: string): string => `Sunbird-Lern/discussions-UI projects/discussion-ui/src/lib/components/${name}/${name}.component.ts`
const UI_ELEMENT = (name: string): string => `Sunbird-Lern/discussions-UI projects/discussion-ui/src/lib/elements/${name}/${name}.component.ts`
const PORTAL_ACCESS = 'Sunbird-Ed/SunbirdEd-portal src/app/client/src/app/modules/discussion/components/access-discussion/access-discussion.component.ts'
const PORTAL_BATCH = 'Sunbird-Ed/SunbirdEd-portal src/app/client/src/app/modules/learn/components/batch/update-course-batch/update-course-batch.component.ts'

interface Replayed { call: string, source: string, ok: boolean }

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const config = { NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid), NODEBB_TIMEOUT_MS: '20000' }
  const app: FastifyInstance = await build(t, { config: testConfig(config) })
  const tag = randomBytes(3).toString('hex')
  const id = (who: string): string => `${who}-legacy-${tag}`
  const replayed: Replayed[] = []
  /** What the UI's HTTP client sends: the portal's API token, the user's token, JSON on every call. */
  const as = (who: string): Record<string, string> => ({
    authorization: `Bearer ${apiRsaToken()}`,
    'x-authenticated-user-token': userToken(id(who)),
    'content-type': 'application/json'
  })
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: as(who), ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
    let body: any = null
    try { body = res.json() } catch {}
    return { status: res.statusCode, body, raw: res.body }
  }
  /** One replayed call: sent as the source sends it, then the fields its component reads are checked. */
  const replay = async (call: string, source: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload: unknown, check: (body: any) => void | Promise<void>) => {
    const res = await send(method, url, who, payload)
    let ok = res.status === 200
    t.equal(res.status, 200, `${call} (${source}): ${res.raw.slice(0, 300)}`)
    if (ok) {
      const before = t.counts.fail
      await check(res.body)
      ok = t.counts.fail === before
    }
    replayed.push({ call, source, ok })
    return res.body
  }

  // a plain NodeBB category the ACP allows the portal's forums under (Sunbird deployments name one per tenant)
  const parentAnswer = await callNodebb(nb, 'POST', '/api/v3/categories', nb.adminUid, { name: `Legacy groups ${tag}` })
  t.equal(parentAnswer.status, 200, JSON.stringify(parentAnswer.body).slice(0, 200))
  const parent = Number(parentAnswer.body.response?.cid)
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/categories/${parent}`, nb.adminUid) })
  const before = await callNodebb(nb, 'GET', '/api/v3/plugins/sunbird/settings', nb.adminUid)
  const previousParents = (before.body.response?.legacyParentCids as number[] | undefined) ?? []
  // the portal's forums private while this runs: a forum visible to registered users (the old default,
  // checked in test/adapter/discussion-legacy) would reach every user of this NodeBB, other suites' too
  const wasPrivate = before.body.response?.legacyForumsPrivate === true
  const saved = await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { legacyParentCids: [...previousParents, parent].join('\n'), legacyForumsPrivate: 'on' })
  t.equal(saved.status, 200, JSON.stringify(saved.body).slice(0, 200))
  t.teardown(async () => { await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { legacyParentCids: previousParents.join('\n'), legacyForumsPrivate: wasPrivate ? 'on' : 'off' }) })

  const group = `group-${tag}`
  const uids: Record<string, number> = {}
  const slugs: Record<string, string> = {}

  // --- the portal: a group admin (the mentor) turns discussions on; members enter the forum
  for (const who of ['mentor', 'learner', 'classmate']) {
    // PORTAL access-discussion navigateToDiscussionForum -> CS createUser: { request: { username, identifier } }
    await replay('POST /user/v1/create', `${PORTAL_ACCESS}; ${CS} createUser`, 'POST', '/discussion/user/v1/create', who, { request: { username: `${who}${tag}`, identifier: id(who) } }, (body) => {
      t.type(body.result.userId.uid, 'number', 'result.userId.uid')
      uids[who] = body.result.userId.uid as number
      slugs[who] = String(body.result.userSlug)
    })
  }
  const again = await send('POST', '/discussion/user/v1/create', 'learner', { id: 'api.discussions.user.create', ver: '1.0', params: { msgid: `m-${tag}`, did: null, key: null }, request: { username: `learner${tag}`, identifier: id('learner') } })
  t.equal(again.status, 200, 'an existing user is a success (full envelope this time)')
  t.equal(again.body.result.userId.uid, uids.learner)

  // PORTAL update-course-batch enableDiscussionForum -> CS createForum: the form config's { category } with the context set
  const created = await replay('POST /forum/v3/create', `${PORTAL_BATCH}; ${CS} createForum`, 'POST', '/discussion/forum/v3/create', 'mentor', {
    category: { name: `General Discussion & "Q&A" <${tag}> é`, pid: String(parent), id: '1', description: '', context: [{ type: 'group', identifier: group }] }
  }, (body) => { t.type(body.result.forums[0].newCid, 'number') })
  const cid = Number(created?.result?.forums?.[0]?.newCid)
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid) })
  // the group's members, as Sunbird's group service grants them (through the Sunbird API)
  const granted = await app.inject({ method: 'PATCH', url: `/api/forum/v1/update/${cid}`, headers: { ...callerHeaders(null), 'content-type': 'application/json' }, payload: JSON.stringify({ request: { privileges: [{ permissions: ['topic'], users: [id('learner'), id('classmate')] }] } }) })
  t.equal(granted.statusCode, 200, granted.body.slice(0, 200))

  // PORTAL access-discussion fetchForumIds -> CS getForumIds: { request: { identifier: [id], type } }; reads _.map(result, 'cid')
  await replay('POST /forum/v2/read', `${PORTAL_ACCESS}; ${CS} getForumIds`, 'POST', '/discussion/forum/v2/read', 'learner', { request: { identifier: [group], type: 'group' } }, (body) => {
    t.same(body.result.map((r: { cid: number }) => r.cid), [cid], 'result[].cid')
  })

  // --- the discussions UI, as the learner
  // UI lib-entry -> DiscussionService.initializeUserDetails -> CS getUserDetails(uid): GET /user/uid/:uid; reads username
  await replay('GET /user/uid/:uid', `${UI('lib-entry')}; ${CS} getUserDetails`, 'GET', `/discussion/user/uid/${uids.learner}`, 'learner', undefined, (body) => {
    t.equal(body.uid, uids.learner)
    t.equal(body.username, `learner${tag}`)
  })
  // UI discuss-category getDiscussionList -> CS getContextBasedTopic: GET /category/:cid?page=1; reads pagination, privileges['topics:create'], topics, children
  await replay('GET /category/:cid?page', `${UI('discuss-category')}; ${CS} getContextBasedTopic`, 'GET', `/discussion/category/${cid}?page=1`, 'learner', undefined, (body) => {
    t.equal(body.privileges['topics:create'], true, 'a member may start a discussion')
    t.ok(Array.isArray(body.topics))
    t.type(body.pagination, 'object')
    const name = `General Discussion & "Q&A" <${tag}> é`
    // NodeBB's own read API, as NodeBB sends it: 4.11.2 HTML-escapes category names, later releases do not
    t.ok([name, name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')].includes(body.name), `name as NodeBB sends it: ${body.name}`)
  })
  // UI discuss-start initializeData -> CS getContextBasedDiscussion: { request: { cids } }; reads result[0].cid
  await replay('POST /category/list', `${UI('discuss-start')}; ${CS} getContextBasedDiscussion`, 'POST', '/discussion/category/list', 'learner', { request: { cids: [cid] } }, (body) => {
    t.equal(body.result[0].cid, cid, 'result[0].cid')
  })
  // UI discuss-start initializeData -> CS fetchAllTags: GET /tags; reads tags[].value
  await replay('GET /tags', `${UI('discuss-start')}; ${CS} fetchAllTags`, 'GET', '/discussion/tags', 'learner', undefined, (body) => { t.ok(Array.isArray(body.tags)) })
  // UI discuss-start submitPost -> CS createPost: { cid, title, content, tags }
  const title = `How do fractions & "ratios" <compare>? 'é' ${tag}`
  const topicTag = `maths${tag}`
  const started = await replay('POST /v2/topics', `${UI('discuss-start')}; ${CS} createPost`, 'POST', '/discussion/v2/topics', 'learner', { cid, title, content: 'I am stuck on <b>ratios</b> — ünïcode & "quotes"', tags: [topicTag] }, (body) => {
    t.equal(body.code, 'ok')
    t.type(body.payload.tid, 'number')
  })
  const tid = Number(started?.payload?.tid)
  const mainPid = Number(started?.payload?.mainPid ?? started?.payload?.mainPost?.pid)
  const slug = String(started?.payload?.slug ?? `${tid}/x`).split('/')[1] ?? ''
  // UI discussion-details -> CS fetchTopicById(tid, slug, page): GET /topic/:tid/:slug?page=1; reads title, posts[].content, posts[].pid, posts[].uid
  await replay('GET /topic/:tid/:slug?page', `${UI('discussion-details')}; ${CS} fetchTopicById`, 'GET', `/discussion/topic/${tid}/${slug}?page=1`, 'learner', undefined, (body) => {
    t.equal(body.tid, tid)
    t.ok(body.posts.some((p: { pid: number, content: string }) => p.pid === mainPid && p.content.includes('ratios')), 'posts[].content')
  })
  // --- the mentor answers, the learner reacts
  const answered = await replay('POST /v2/topics/:tid (reply)', `${UI('discussion-details')} postReply; ${CS} replyPost`, 'POST', `/discussion/v2/topics/${tid}`, 'mentor', { content: 'Think of a ratio as a fraction of the whole.' }, (body) => {
    t.type(body.payload.pid, 'number')
  })
  const answerPid = Number(answered?.payload?.pid)
  await replay('POST /v2/topics/:tid (comment, toPid)', `${UI('discussion-details')} postCommentsReply; ${CS} replyPost`, 'POST', `/discussion/v2/topics/${tid}`, 'learner', { content: 'Thanks! That helps.', toPid: answerPid }, (body) => {
    t.type(body.payload.pid, 'number')
  })
  await replay('POST /v2/posts/:pid/vote (up)', `${UI('discussion-details')} upvote; ${CS} votePost`, 'POST', `/discussion/v2/posts/${answerPid}/vote`, 'learner', { delta: 1 }, (body) => { t.equal(body.code, 'ok') })
  await replay('POST /v2/posts/:pid/bookmark', `${UI('discussion-details')} bookmark; ${CS} bookmarkPost`, 'POST', `/discussion/v2/posts/${answerPid}/bookmark`, 'learner', undefined, (body) => { t.equal(body.code, 'ok') })
  // UI discussion-details fetchTopicByIdSort calls fetchTopicById(tid, 'voted', page): GET /topic/:tid/voted?page=1
  await replay('GET /topic/:tid/voted?page', `${UI('discussion-details')} refreshPostData; ${CS} fetchTopicById`, 'GET', `/discussion/topic/${tid}/voted?page=1`, 'learner', undefined, (body) => {
    const answer = body.posts.find((p: { pid: number }) => p.pid === answerPid)
    t.equal(answer?.votes, 1, 'posts[].votes')
    t.equal(answer?.upvoted, true, 'posts[].upvoted')
    t.equal(answer?.bookmarked, true, 'posts[].bookmarked')
  })
  // CS fetchTopicByIdSort (the client's own spelling): GET /topic/:tid/?page=1&sort=voted
  await replay('GET /topic/:tid/?page&sort', `${CS} fetchTopicByIdSort`, 'GET', `/discussion/topic/${tid}/?page=1&sort=most_votes`, 'learner', undefined, (body) => { t.equal(body.tid, tid) })
  // --- the learner's "my discussions" tabs: UI my-discussion filter()
  const mine = slugs.learner
  await replay('GET /user/:slug', `${UI('my-discussion')}; ${CS} fetchNetworkProfile`, 'GET', `/discussion/user/${mine}`, 'learner', undefined, (body) => { t.equal(body.uid, uids.learner) })
  await replay('GET /user/:slug/posts?page', `${UI('my-discussion')} getRecentTopics; ${CS} recentPost`, 'GET', `/discussion/user/${mine}/posts?page=1`, 'learner', undefined, (body) => {
    t.ok(body.posts.some((p: { isMainPost: boolean, tid: number }) => p.isMainPost && p.tid === tid), 'posts[].isMainPost')
    t.type(body.pagination, 'object')
  })
  await replay('GET /user/:slug/bookmarks?page', `${UI('my-discussion')} saved; ${CS} fetchSaved`, 'GET', `/discussion/user/${mine}/bookmarks?page=1`, 'learner', undefined, (body) => {
    t.ok(body.posts.some((p: { pid: number }) => p.pid === answerPid), 'the bookmarked answer')
  })
  await replay('GET /user/:slug/upvoted?page', `${UI('my-discussion')} upvoted; ${CS} fetchUpvoted`, 'GET', `/discussion/user/${mine}/upvoted?page=1`, 'learner', undefined, (body) => {
    t.ok(body.posts.some((p: { pid: number }) => p.pid === answerPid), 'the upvoted answer')
  })
  await replay('GET /user/:slug/downvoted?page', `${UI('my-discussion')} downvoted; ${CS} fetchDownvoted`, 'GET', `/discussion/user/${mine}/downvoted?page=1`, 'learner', undefined, (body) => { t.ok(Array.isArray(body.posts)) })
  await replay('GET /user/:slug/best?page', `${UI('my-discussion')} best; ${CS} fetchBestPost`, 'GET', `/discussion/user/${mine}/best?page=1`, 'learner', undefined, (body) => { t.ok(Array.isArray(body.posts)) })
  await replay('DELETE /v2/posts/:pid/bookmark', `${UI('discussion-details')} unBookMark; ${CS} deleteBookmarkPost`, 'DELETE', `/discussion/v2/posts/${answerPid}/bookmark`, 'learner', undefined, (body) => { t.equal(body.code, 'ok') })
  await replay('DELETE /v2/posts/:pid/vote', `${UI('discussion-details')} deleteVote; ${CS} deleteVotePost`, 'DELETE', `/discussion/v2/posts/${answerPid}/vote`, 'learner', undefined, (body) => { t.equal(body.code, 'ok') })
  await replay('POST /v2/posts/:pid/vote (down)', `${UI('discussion-details')} downvote; ${CS} votePost`, 'POST', `/discussion/v2/posts/${answerPid}/vote`, 'classmate', { delta: -1 }, (body) => { t.equal(body.code, 'ok') })
  // --- tags and lists
  await replay('GET /tags/:tag', `${UI('tag-all-discussion')} fetchSingleTagDetails; ${CS} getTagBasedDiscussion`, 'GET', `/discussion/tags/${encodeURIComponent(topicTag)}`, 'learner', undefined, (body) => {
    t.ok(body.topics.some((x: { tid: number }) => x.tid === tid), 'topics[]')
  })
  await replay('POST /tags/list', `${UI('tag-all-discussion')} fetchContextBasedTagDetails; ${CS} getContextBasedTagDiscussion`, 'POST', '/discussion/tags/list', 'learner', { request: { cid: [cid], tag: topicTag } }, (body) => {
    t.same(body.result.map((x: { tid: number }) => x.tid), [tid], 'result[] (topics)')
  })
  await replay('POST /forum/tags', `${UI('discuss-tags')} getContextBasedTags; ${CS} contextBasedTags`, 'POST', '/discussion/forum/tags', 'learner', { request: { cids: [cid] } }, (body) => {
    t.ok(body.result.some((x: { value: string, score: number }) => x.value === topicTag && x.score === 1), 'result[].value, score')
  })
  await replay('GET /popular', `${UI('discuss-all')} fillPopular; ${CS} popularPost`, 'GET', '/discussion/popular', 'learner', undefined, (body) => { t.ok(Array.isArray(body.topics)) })
  await replay('GET /categories', `${UI('discuss-start')}; ${CS} fetchAllCategories`, 'GET', '/discussion/categories', 'learner', undefined, (body) => {
    t.ok(Array.isArray(body.categories), 'categories[]')
  })
  await replay('GET /category/:cid', `${UI_ELEMENT('related-discussion')} fetchRelatedDiscussionData; ${CS} fetchSingleCategoryDetails`, 'GET', `/discussion/category/${cid}`, 'learner', undefined, (body) => {
    t.ok(body.topics.some((x: { tid: number, deleted: number }) => x.tid === tid && x.deleted === 0), 'topics[].deleted, tid')
  })
  // --- edit and delete
  const comment = await send('POST', `/discussion/v2/topics/${tid}`, 'learner', { content: 'A second thought, to be edited' })
  const ownPid = Number(comment.body?.payload?.pid)
  await replay('POST /v2/posts/:pid (edit)', `${UI('discussion-details')} updatePost; ${CS} editPost`, 'POST', `/discussion/v2/posts/${ownPid}`, 'learner', { content: 'A second thought, edited', title: '', tags: [], uid: uids.learner }, (body) => { t.equal(body.code, 'ok') })
  await replay('POST /v2/posts/:pid (topic edit)', `${UI('discussion-details')} editTopicHandler; ${CS} editPost`, 'POST', `/discussion/v2/posts/${mainPid}`, 'learner', { title: `${title} (edited)`, content: 'I am stuck on ratios (edited)', tags: [topicTag], cid }, (body) => { t.equal(body.code, 'ok') })
  // the owner's delete: v2 purged; NodeBB refuses a learner's purge, so it is the soft delete
  await replay('DELETE /v2/posts/:pid?uid', `${UI('discussion-details')} deletePost; ${CS} deletePost`, 'DELETE', `/discussion/v2/posts/${ownPid}?uid=${uids.learner}`, 'learner', undefined, (body) => { t.equal(body.code, 'ok') })
  const seen = await send('GET', `/discussion/topic/${tid}/${slug}?page=1`, 'classmate')
  t.equal(seen.status, 200)
  t.notOk(seen.raw.includes('[[topic:post-is-deleted]]'), 'no raw translation key reaches another learner')
  t.notOk(seen.body.posts.some((p: { pid: number }) => p.pid === ownPid), 'the deleted post is left out for them')
  const byMentor = await send('GET', `/discussion/topic/${tid}/${slug}?page=1`, 'mentor')
  t.ok(byMentor.body.posts.some((p: { pid: number, deleted: number }) => p.pid === ownPid && p.deleted === 1), 'the forum\'s moderator still sees it, marked deleted')
  const stranger = await send('DELETE', `/discussion/v2/posts/${answerPid}`, 'classmate')
  t.equal(stranger.status, 403, 'another learner may neither purge nor delete the mentor\'s post')
  t.equal(stranger.body.code, 'forbidden')
  t.type(stranger.body.message.split('|')[1], 'string', 'a reason after `|`, as the UI reads it')
  // a moderator's delete purges, as v2 did
  await replay('DELETE /v2/posts/:pid (moderator)', `${UI('discussion-details')} deletePost; ${CS} deletePost`, 'DELETE', `/discussion/v2/posts/${ownPid}?uid=${uids.mentor}`, 'mentor', undefined, (body) => { t.equal(body.code, 'ok') })
  t.equal((await callNodebb(nb, 'GET', `/api/v3/posts/${ownPid}`, nb.adminUid)).status, 404, 'purged')
  // the learner deletes their own topic: the ladder's topic level (and NodeBB's registered-users default) includes topics:delete
  await replay('DELETE /v2/topics/:tid', `${UI('discussion-details')} deleteTopicHandler; ${CS} deleteTopic`, 'DELETE', `/discussion/v2/topics/${tid}`, 'learner', undefined, (body) => { t.equal(body.code, 'ok') })
  const gone = await send('GET', `/discussion/category/${cid}`, 'classmate')
  t.notOk(gone.body.topics.some((x: { tid: number }) => x.tid === tid), 'the deleted topic is gone from the list for other learners')

  // --- the ladder: a learner at `topic` in a forum made through the Sunbird API deletes their own topic
  const ladderForum = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name: `Ladder ${tag}`, context: { type: 'batch', identifier: `ladder-${tag}` }, privileges: [{ permissions: ['topic'], users: [id('learner')] }] })
  t.equal(ladderForum.status, 200, JSON.stringify(ladderForum.body).slice(0, 200))
  const ladderCid = Number(ladderForum.body.response?.identifier)
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${ladderCid}`, nb.adminUid) })
  const own = await send('POST', '/discussion/v2/topics', 'learner', { cid: ladderCid, title: `Mine ${tag}`, content: 'to delete', tags: [] })
  t.equal(own.status, 200, own.raw.slice(0, 200))
  const ownDelete = await send('DELETE', `/discussion/v2/topics/${Number(own.body?.payload?.tid)}`, 'learner')
  t.equal(ownDelete.status, 200, `topic level: own topic soft-deleted ${ownDelete.raw.slice(0, 200)}`)

  // --- the portal turns discussions off: the mapping goes, the forum stays (the ACP's remove setting is off)
  // PORTAL update-course-batch disableDiscussionForum -> CS removeForum: { request: { sbType, sbIdentifier, cid: [..] } }
  const removedBy = await send('POST', '/discussion/forum/v2/remove', 'learner', { request: { sbType: 'group', sbIdentifier: group, cid: [cid] } })
  t.equal(removedBy.status, 403, 'a member who does not moderate the forum cannot remove it')
  await replay('POST /forum/v2/remove', `${PORTAL_BATCH}; ${CS} removeForum`, 'POST', '/discussion/forum/v2/remove', 'mentor', { request: { sbType: 'group', sbIdentifier: group, cid: [cid] } }, (body) => {
    t.same(body.result.removed, [cid])
  })
  const after = await send('POST', '/discussion/forum/v2/read', 'learner', { request: { identifier: [group], type: 'group' } })
  t.same(after.body.result, [], 'the context has no forum now')

  // --- the middleware's admin routes stay closed
  for (const [method, url] of [['POST', '/discussion/v2/categories'], ['PUT', `/discussion/v2/categories/${cid}/privileges`], ['POST', '/discussion/v2/users'], ['GET', `/discussion/v2/users/${uids.learner}/tokens`], ['POST', '/discussion/v2/util/maintenance'], ['POST', '/discussion/forum/v2/create'], ['POST', '/discussion/privileges/v2/copy']] as const) {
    const res = await send(method, url, 'mentor', method === 'GET' ? undefined : {})
    t.equal(res.status, 404, `${method} ${url} is closed`)
    t.equal(res.body.params.err, 'NOT_FOUND')
  }

  const working = replayed.filter((r) => r.ok).length
  t.comment(`legacy UI replay: ${replayed.length} calls replayed, ${working} working as sent`)
  for (const r of replayed.filter((x) => !x.ok)) t.comment(`not working: ${r.call} (${r.source})`)
  t.equal(working, replayed.length, 'every replayed call works as sent')
}

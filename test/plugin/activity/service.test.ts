import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { harness, pluginPaths, type PluginHarness } from '../helper'
import { activityHooks } from '../../../plugin/activity/events'
import { activityKeys } from '../../../plugin/activity/log'
import type { Activity } from '../../../shared/schemas/activity'
import * as index from '../../../plugin/index'

/**
 * Activity recording from NodeBB-shaped hook payloads (as NodeBB 4.11 fires them) on the fake
 * platform, then the list route's filters, pagination and read access, and the retention trim.
 */

interface World {
  h: PluginHarness
  clock: { now: number }
  mentor: number
  learner: number
  outsider: number
  forum: number
  child: number
  other: number
  plain: number
}

async function world (): Promise<World> {
  const clock = { now: 1_700_000_000_000 }
  const h = harness({ now: () => clock.now, activity: { trimEvery: 1_000_000 } })
  const mentor = await h.user('mentor-1', 'mentor1')
  const learner = await h.user('learner-1', 'learner1')
  const outsider = await h.user('outsider-1', 'outsider1')
  const created = await h.call('post', pluginPaths.forums, h.admin, {
    body: {
      name: 'Batch',
      context: { type: 'batch', identifier: 'b1' },
      privileges: [{ permissions: ['moderate'], users: ['mentor-1'], applyToChildren: true }, { permissions: ['topic'], users: ['learner-1'], applyToChildren: true }],
      children: [{ name: 'Week 1' }]
    }
  })
  const other = await h.call('post', pluginPaths.forums, h.admin, { body: { name: 'Other', context: { type: 'batch', identifier: 'b2' }, privileges: [{ permissions: ['post'], users: ['outsider-1'] }] } })
  // a NodeBB category that is no Sunbird forum
  const plain = await h.fake.createCategory({ name: 'Plain', description: '', parentCid: 0, isPrivate: false })
  return { h, clock, mentor, learner, outsider, forum: Number(created.identifier), child: Number(created.forum.children[0]!.identifier), other: Number(other.identifier), plain }
}

/** What NodeBB's topics.post fires: `action:topic.post` with the topic (title, slug) and its main post. */
function topicPost (w: World, cid: number, uid: number, title: string): { tid: number, pid: number, payload: unknown } {
  const { tid, pid } = w.h.fake.addTopic(cid, uid, title)
  return { tid, pid, payload: { topic: { tid, uid, cid, title, slug: `${tid}/${title.toLowerCase()}`, mainPid: pid, deleted: 0 }, post: { pid, tid, uid, cid, content: 'x' }, data: { uid, cid, title } } }
}

async function record (w: World, hook: string, payload: unknown): Promise<Activity[]> {
  w.clock.now += 1000
  return w.h.activity.onHook(hook, payload)
}

t.test('every hook is recorded with the shape the API publishes', async (t) => {
  const w = await world()
  const topic = topicPost(w, w.forum, w.learner, 'Hello')
  const [created] = await record(w, 'action:topic.post', topic.payload)
  t.same(created, {
    id: created?.id,
    verb: 'topic.create',
    actor: { identifier: 'learner-1', uid: w.learner },
    object: { type: 'topic', id: String(topic.tid), topic: String(topic.tid), title: 'Hello', url: `http://nodebb.test/topic/${topic.tid}/hello` },
    forum: { identifier: String(w.forum), root: String(w.forum), context: { type: 'batch', identifier: 'b1' } },
    time: w.clock.now
  })
  // a reply in the child forum: topics.reply's post carries the topic
  const inChild = topicPost(w, w.child, w.mentor, 'Week one')
  await record(w, 'action:topic.post', inChild.payload)
  const pid = w.h.fake.addPost(inChild.tid, w.learner)
  const [reply] = await record(w, 'action:topic.reply', { post: { pid, tid: inChild.tid, uid: w.learner, cid: w.child, topic: { tid: inChild.tid, cid: w.child, title: 'Week one', slug: `${inChild.tid}/week-one` } }, data: {} })
  t.same(reply?.object, { type: 'post', id: String(pid), topic: String(inChild.tid), title: 'Week one', url: `http://nodebb.test/post/${pid}` })
  t.same(reply?.forum, { identifier: String(w.child), root: String(w.forum), context: { type: 'batch', identifier: 'b1' } }, 'the root forum is the parent')

  // votes carry only pid and uid: the rest is looked up
  const [up] = await record(w, 'action:post.upvote', { pid, uid: w.mentor, owner: w.learner, current: 'unvote' })
  t.equal(up?.verb, 'post.upvote')
  t.same(up?.actor, { identifier: 'mentor-1', uid: w.mentor })
  t.equal(up?.object.title, 'Week one')
  t.equal((await record(w, 'action:post.downvote', { pid, uid: w.mentor, owner: w.learner, current: 'upvote' }))[0]?.verb, 'post.downvote')
  t.equal((await record(w, 'action:post.unvote', { pid, uid: w.mentor, owner: w.learner, current: 'downvote' }))[0]?.verb, 'post.unvote')
  // edit: the editor is the actor (hook uid), not the post's owner
  const [edit] = await record(w, 'action:post.edit', { post: { pid, tid: inChild.tid, uid: w.learner, cid: w.child, topic: { tid: inChild.tid, cid: w.child, title: 'Week one', slug: 's' } }, data: {}, uid: w.mentor })
  t.same([edit?.verb, edit?.actor.uid], ['post.edit', w.mentor])
  // delete / restore: posts.delete's postData has cid but no topic
  t.equal((await record(w, 'action:post.delete', { post: { pid, tid: inChild.tid, uid: w.learner, cid: w.child, deleted: 1 }, uid: w.mentor }))[0]?.object.title, 'Week one')
  t.equal((await record(w, 'action:post.restore', { post: { pid, tid: inChild.tid, uid: w.learner, cid: w.child, deleted: 0 }, uid: w.mentor }))[0]?.verb, 'post.restore')
  // topic tools
  const tool = { tid: topic.tid, uid: w.learner, cid: w.forum }
  t.equal((await record(w, 'action:topic.lock', { topic: { ...tool, locked: true, isLocked: true }, uid: w.mentor }))[0]?.verb, 'topic.lock')
  t.equal((await record(w, 'action:topic.lock', { topic: { ...tool, locked: false }, uid: w.mentor }))[0]?.verb, 'topic.unlock')
  t.equal((await record(w, 'action:topic.pin', { topic: { ...tool, pinned: 1 }, uid: w.mentor }))[0]?.verb, 'topic.pin')
  t.equal((await record(w, 'action:topic.pin', { topic: { ...tool, pinned: 0 }, uid: w.mentor }))[0]?.verb, 'topic.unpin')
  t.equal((await record(w, 'action:topic.delete', { topic: { ...tool, deleted: 1 }, uid: w.mentor }))[0]?.verb, 'topic.delete')
  t.equal((await record(w, 'action:topic.restore', { topic: { ...tool, deleted: 0 }, uid: w.mentor }))[0]?.verb, 'topic.restore')
  // a move into a Sunbird forum is recorded there; out of one, in the forum it left
  const [moved] = await record(w, 'action:topic.move', { cid: w.child, uid: w.mentor, tid: topic.tid, fromCid: w.forum, toCid: w.child })
  t.equal(moved?.forum?.identifier, String(w.child))
  const [movedOut] = await record(w, 'action:topic.move', { cid: w.plain, uid: w.mentor, tid: topic.tid, fromCid: w.forum, toCid: w.plain })
  t.equal(movedOut?.forum?.identifier, String(w.forum))
  // purges carry what is about to be deleted
  const purged = await record(w, 'action:posts.purge', { posts: [{ pid, tid: inChild.tid, uid: w.learner, cid: w.child, topic: { tid: inChild.tid, cid: w.child, title: 'Week one', slug: 's' } }], uid: w.mentor })
  t.equal(purged[0]?.verb, 'post.purge')
  const topicsPurged = await record(w, 'action:topics.purge', { topics: [{ tid: 999, cid: w.forum, title: 'Gone', slug: '999/gone', uid: w.learner }], uid: w.mentor })
  t.same(topicsPurged.map((a) => [a.verb, a.object.title]), [['topic.purge', 'Gone']])
})

t.test('titles are recorded as written: from the database, or from the payload\'s raw title when the topic is gone', async (t) => {
  const w = await world()
  const title = 'Q&A <b>"quotes"</b> it\'s [[x]] — ज्ञान'
  const { tid, pid } = w.h.fake.addTopic(w.forum, w.learner, title)
  // NodeBB 4.11 hands hooks the title HTML-escaped, with titleRaw beside it
  const escaped = { tid, cid: w.forum, uid: w.learner, title: 'Q&amp;A &lt;b&gt;&quot;quotes&quot;&lt;/b&gt; it&#x27;s &#91;&#91;x&#93;&#93; — ज्ञान', titleRaw: 'Q&A <b>"quotes"</b> it\'s &#91;&#91;x&#93;&#93; — ज्ञान', slug: `${tid}/qa` }
  const [created] = await record(w, 'action:topic.post', { topic: escaped, post: { pid } })
  t.equal(created?.object.title, title, 'read from the database, not the escaped payload')
  w.h.fake.purge('topic', tid)
  const [purged] = await record(w, 'action:topics.purge', { topics: [escaped], uid: w.mentor })
  t.equal(purged?.object.title, title, 'a purged topic: its payload\'s raw title, translator escapes undone')
  const [fourteen] = await record(w, 'action:topics.purge', { topics: [{ tid: 998, cid: w.forum, title: 'A & B', slug: '998/a-b' }], uid: w.mentor })
  t.equal(fourteen?.object.title, 'A & B', 'NodeBB 4.14 gives the title as written')
})

t.test('only Sunbird forums are recorded; odd payloads record nothing', async (t) => {
  const w = await world()
  const plain = topicPost(w, w.plain, w.learner, 'Elsewhere')
  t.same(await record(w, 'action:topic.post', plain.payload), [])
  t.same(await record(w, 'action:topic.move', { tid: plain.tid, fromCid: w.plain, toCid: w.plain, uid: 1 }), [], 'moves between plain categories')
  t.same(await record(w, 'action:post.upvote', { pid: 12345, uid: w.learner }), [], 'a vote on a post that is gone')
  t.same(await record(w, 'action:topic.lock', { topic: { tid: 777 }, uid: 1 }), [], 'a topic that is gone')
  t.same(await record(w, 'action:topic.lock', { topic: {}, uid: 1 }), [], 'no topic id')
  t.same(await record(w, 'action:topic.nothing', {}), [], 'an unknown hook')
  t.same(await record(w, 'action:topic.post', null), [], 'no payload')
  t.same(await record(w, 'action:posts.purge', { posts: 'x', uid: 1 }), [])
  t.same(await record(w, 'action:topics.purge', { uid: 1 }), [])
  // a remote (ActivityPub) actor has a URI for a uid: recorded with uid 0 and no Sunbird id
  const topic = topicPost(w, w.forum, w.learner, 'Remote')
  const [remote] = await record(w, 'action:post.upvote', { pid: topic.pid, uid: 'https://remote.example/users/x' })
  t.same(remote?.actor, { identifier: null, uid: 0 })
  t.equal(w.h.fake.db.zsets.get(activityKeys.all)?.size, 1)
})

t.test('plugin.json subscribes every activity hook to its handler, and the handlers exist', async (t) => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'plugin.json'), 'utf8')) as { hooks: Array<{ hook: string, method: string }> }
  for (const [hook, { method }] of Object.entries(activityHooks)) {
    t.ok(manifest.hooks.some((h) => h.hook === hook && h.method === method), `${hook} -> ${method}`)
    t.type((index as unknown as Record<string, unknown>)[method], 'function', `${method} is exported`)
  }
})

async function seed (w: World): Promise<void> {
  // learner: 3 topics in the forum, 1 in the child; mentor: 1 in the child; outsider: 2 in the other forum
  for (const title of ['A', 'B', 'C']) await record(w, 'action:topic.post', topicPost(w, w.forum, w.learner, title).payload)
  await record(w, 'action:topic.post', topicPost(w, w.child, w.learner, 'D').payload)
  const e = topicPost(w, w.child, w.mentor, 'E')
  await record(w, 'action:topic.post', e.payload)
  await record(w, 'action:post.upvote', { pid: e.pid, uid: w.learner })
  for (const title of ['F', 'G']) await record(w, 'action:topic.post', topicPost(w, w.other, w.outsider, title).payload)
}

t.test('list: filters are index reads, pages are newest first', async (t) => {
  const w = await world()
  await seed(w)
  const list = (query: Record<string, unknown>, uid = w.h.admin): Promise<{ activities: Activity[], count: number, countExact: boolean, offset: number | null }> =>
    w.h.call('get', pluginPaths.activity, uid, { query: { _uid: String(uid), ...query } })
  const titles = (r: { activities: Activity[] }): string[] => r.activities.map((a) => a.object.title ?? '')

  const all = await list({})
  t.same([all.count, all.countExact], [8, true], 'an index answers: the count is exact')
  t.same(titles(all), ['G', 'F', 'E', 'E', 'D', 'C', 'B', 'A'], 'newest first')
  t.equal(all.offset, null)

  const page1 = await list({ limit: '3' })
  t.same([titles(page1), page1.count, page1.offset], [['G', 'F', 'E'], 8, 3])
  const page3 = await list({ limit: '3', offset: '6' })
  t.same([titles(page3), page3.offset], [['B', 'A'], null])
  t.same((await list({ offset: '50' })).activities, [], 'past the end')

  const byContext = await list({ contextType: 'batch', contextId: 'b1' })
  t.same(titles(byContext), ['E', 'E', 'D', 'C', 'B', 'A'])
  t.same(titles(await list({ forum: String(w.forum) })), ['C', 'B', 'A'], 'the forum alone')
  t.same(titles(await list({ forum: String(w.forum), includeDescendants: 'true' })), ['E', 'E', 'D', 'C', 'B', 'A'], 'with its child')
  t.same(titles(await list({ user: 'learner-1' })), ['E', 'D', 'C', 'B', 'A'], 'by acting user (the upvote on E is the learner\'s)')
  t.same(titles(await list({ user: 'learner-1', forum: String(w.child) })), ['E', 'D'], 'user within a forum')
  t.same(titles(await list({ user: 'mentor-1', contextType: 'batch', contextId: 'b1' })), ['E'])
  t.same(titles(await list({ forum: String(w.child), contextType: 'batch', contextId: 'b2' })), [], 'a forum outside the context')
  const votes = await list({ verbs: 'post.upvote,post.downvote' })
  t.same([votes.activities.map((a) => a.verb), votes.count], [['post.upvote'], 1])
  const t0 = 1_700_000_000_000
  t.same(titles(await list({ since: String(t0 + 2000), until: String(t0 + 4000) })), ['D', 'C', 'B'], 'a time window (inclusive)')
  const paged = await list({ verbs: 'topic.create', limit: '2', offset: '2' })
  t.same([titles(paged), paged.count, paged.countExact, paged.offset], [['E', 'D'], 5, false, 4], 'a filtered page stops one match past the page: a lower bound that still says a next page exists')
  const last = await list({ verbs: 'topic.create', limit: '3', offset: '5' })
  t.same([titles(last), last.count, last.countExact, last.offset], [['B', 'A'], 7, true, null], 'a filtered page that reads to the end counts exactly')
})

t.test('list: a user sees only forums they can read', async (t) => {
  const w = await world()
  await seed(w)
  const list = (uid: number, query: Record<string, unknown> = {}): Promise<{ activities: Activity[], count: number }> => w.h.call('get', pluginPaths.activity, uid, { query })
  const learner = await list(w.learner)
  t.equal(learner.count, 6, 'the batch forums, not the other one')
  t.ok(learner.activities.every((a) => a.forum?.context.identifier === 'b1'))
  const outsider = await list(w.outsider)
  t.same([outsider.count, outsider.activities.map((a) => a.object.title ?? '')], [2, ['G', 'F']])
  t.equal((await list(w.outsider, { contextType: 'batch', contextId: 'b1' })).count, 0, 'a context they are not in: nothing')
})

t.test('list: a deleted topic or post is seen only by those who may view deleted posts; a purged one by administrators', async (t) => {
  const w = await world()
  const list = async (uid: number): Promise<string[]> => ((await w.h.call('get', pluginPaths.activity, uid, { query: {} })).activities as Activity[]).map((a) => `${a.verb} ${a.object.title}`)
  const secret = topicPost(w, w.forum, w.learner, 'Secret')
  await record(w, 'action:topic.post', secret.payload)
  const open = topicPost(w, w.forum, w.learner, 'Open')
  await record(w, 'action:topic.post', open.payload)
  const replyPid = w.h.fake.addPost(open.tid, w.learner)
  await record(w, 'action:topic.reply', { post: { pid: replyPid, tid: open.tid, uid: w.learner, cid: w.forum, topic: { tid: open.tid, cid: w.forum, title: 'Open', slug: 's' } }, data: {} })
  const everything = ['post.reply Open', 'topic.create Open', 'topic.create Secret']
  t.same(await list(w.learner), everything, 'before any delete the learner sees all')

  // the mentor deletes the topic "Secret" (NodeBB sets deleted and fires action:topic.delete)
  w.h.fake.setDeleted('topic', secret.tid, true)
  await record(w, 'action:topic.delete', { topic: { tid: secret.tid, uid: w.learner, cid: w.forum, deleted: 1 }, uid: w.mentor })
  t.same(await list(w.learner), ['post.reply Open', 'topic.create Open'], 'the learner (topic level) no longer sees the deleted topic, nor its title')
  t.same(await list(w.mentor), ['topic.delete Secret', ...everything], 'the mentor (moderate: posts:view_deleted) still does')
  t.same(await list(w.h.admin), ['topic.delete Secret', ...everything], 'and an administrator')
  t.same(await list(w.outsider), [], 'an outsider sees nothing of the forum either way')

  // a deleted reply hides only that post
  w.h.fake.setDeleted('post', replyPid, true)
  t.same(await list(w.learner), ['topic.create Open'], 'a deleted reply is hidden, its topic is not')
  w.h.fake.setDeleted('post', replyPid, false)
  w.h.fake.setDeleted('topic', secret.tid, false)
  await record(w, 'action:topic.restore', { topic: { tid: secret.tid, uid: w.learner, cid: w.forum, deleted: 0 }, uid: w.mentor })
  t.same(await list(w.learner), ['topic.restore Secret', 'topic.delete Secret', ...everything], 'restored: visible again, with its history')

  // purged: gone from NodeBB, so from everyone's list but an administrator's
  w.h.fake.purge('topic', secret.tid)
  await record(w, 'action:topics.purge', { topics: [{ tid: secret.tid, cid: w.forum, title: 'Secret', slug: 's', uid: w.learner }], uid: w.mentor })
  t.same(await list(w.learner), everything.slice(0, 2))
  t.same(await list(w.mentor), everything.slice(0, 2))
  t.same((await list(w.h.admin)).filter((e) => e.endsWith('Secret')), ['topic.purge Secret', 'topic.restore Secret', 'topic.delete Secret', 'topic.create Secret'], 'an administrator still reads the whole log')
  const page = await w.h.call('get', pluginPaths.activity, w.learner, { query: { limit: '1' } })
  t.same([page.count, page.countExact, page.offset], [2, false, 1], 'counts and pages follow what the user may see; a member\'s count is read only one past the page')
})

t.test('list: bad input is refused and nothing is written', async (t) => {
  const w = await world()
  await seed(w)
  const before = w.h.fake.dump()
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ limit: '0' }, 'INVALID_REQUEST'],
    [{ limit: '101' }, 'INVALID_REQUEST'],
    [{ limit: 'ten' }, 'INVALID_REQUEST'],
    [{ offset: '-1' }, 'INVALID_REQUEST'],
    [{ verbs: 'post create' }, 'INVALID_REQUEST'], // any verb may be an app's own (post.create is listed, empty), but not one with a space
    [{ verbs: 'post.edit,post.edit' }, 'INVALID_REQUEST'],
    [{ forum: '0' }, 'INVALID_REQUEST'],
    [{ forum: ['1', '2'] }, 'INVALID_REQUEST'],
    [{ contextType: 'batch' }, 'INVALID_REQUEST'],
    [{ includeDescendants: 'yes' }, 'INVALID_REQUEST'],
    [{ since: 'yesterday' }, 'INVALID_REQUEST'],
    [{ user: 'a b' }, 'INVALID_REQUEST'],
    [{ owner: 'x' }, 'INVALID_REQUEST'],
    [{ forum: '9999' }, 'FORUM_NOT_FOUND'],
    [{ user: 'nobody' }, 'USER_NOT_FOUND']
  ]
  for (const [query, code] of bad) t.equal((await w.h.fail('get', pluginPaths.activity, w.h.admin, { query })).code, code, JSON.stringify(query))
  t.equal(w.h.fake.dump(), before, 'nothing written')
})

t.test('retention: entries beyond the age and the count are trimmed from every index', async (t) => {
  const w = await world()
  await seed(w)
  const db = w.h.fake.db
  const sizes = (): number[] => [activityKeys.all, activityKeys.forum(w.forum), activityKeys.forum(w.child), activityKeys.user(w.learner), activityKeys.context({ type: 'batch', identifier: 'b1' })].map((k) => db.zsets.get(k)?.size ?? 0)
  t.same(sizes(), [8, 3, 3, 5, 6])
  // count: keep the newest 5
  t.equal(await w.h.activity.log.trim({ days: 90, count: 5 }), 3)
  t.same(sizes(), [5, 0, 3, 2, 3], 'the three oldest (A, B, C) are gone from every index')
  t.equal([...db.hashes.keys()].filter((k) => k.startsWith('sunbird:activity:entry:')).length, 5, 'and their entries')
  // age: move the clock so that all but the last two are older than 1 day
  w.clock.now = 1_700_000_000_000 + 86_400_000 + 6500
  t.equal(await w.h.activity.log.trim({ days: 1, count: 100 }), 3)
  t.same((await w.h.call('get', pluginPaths.activity, w.h.admin, { query: {} })).activities.map((a: Activity) => a.object.title), ['G', 'F'])
  t.equal(await w.h.activity.log.trim({ days: 1, count: 100 }), 0, 'nothing more to trim')
})

t.test('retention: the settings apply on write every trimEvery records', async (t) => {
  const clock = { now: 1_700_000_000_000 }
  const h = harness({ now: () => clock.now, activity: { trimEvery: 5 } })
  await h.call('put', pluginPaths.settings, h.admin, { body: { activityRetentionCount: '100' } })
  const uid = await h.user('u-1', 'user1')
  const created = await h.call('post', pluginPaths.forums, h.admin, { body: { name: 'F', context: { type: 'batch', identifier: 'b' } } })
  const cid = Number(created.identifier)
  for (let i = 0; i < 110; i++) {
    clock.now += 1000
    const { tid, pid } = h.fake.addTopic(cid, uid, `T${i}`)
    await h.activity.onHook('action:topic.post', { topic: { tid, cid, uid, title: `T${i}`, slug: `${tid}/t` }, post: { pid } })
  }
  t.equal(h.fake.db.zsets.get(activityKeys.all)?.size, 100, 'trimmed to the retention count as it writes')
  t.same(await h.activity.retention(), { days: 90, count: 100 })
})

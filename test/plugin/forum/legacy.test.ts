import t from 'tap'
import { harness, pluginPaths } from '../helper'

const P = pluginPaths
const context = { type: 'group', identifier: 'g-1' }

t.test('legacy forum create: only under a parent the ACP lists, bodies checked, nothing written on a refusal', async (t) => {
  const h = harness()
  const learner = await h.user('sb-1')
  const parent = await h.fake.createCategory({ name: 'Groups', description: '', parentCid: 0, isPrivate: false })
  const before = h.fake.dump()
  const bad: unknown[] = [
    undefined, {}, [], { name: 'G', parentCid: parent }, { name: 'G', parentCid: String(parent), context },
    { name: '', parentCid: parent, context }, { name: 'G', parentCid: 0, context }, { name: 'G', parentCid: parent, context: { type: 'group' } },
    { name: 'G', parentCid: parent, context, extra: true }, { name: 'G'.repeat(256), parentCid: parent, context },
    { name: 'G', parentCid: parent, context: { type: 'group', identifier: '<script>' } }
  ]
  for (const body of bad) t.equal((await h.fail('post', P.legacyForums, learner, { body })).code, 'INVALID_REQUEST', JSON.stringify(body)?.slice(0, 80))
  t.equal((await h.fail('post', P.legacyForums, learner, { body: { name: 'G', parentCid: parent, context } })).code, 'FORBIDDEN', 'the ACP lists no parent')
  h.fake.settings.legacyParentCids = [parent, 999]
  t.equal((await h.fail('post', P.legacyForums, learner, { body: { name: 'G', parentCid: 999, context } })).code, 'PARENT_NOT_FOUND', 'listed, but no such category')
  t.equal(h.fake.dump(), before, 'nothing written')
  const made = await h.call('post', P.legacyForums, learner, { body: { name: ' Group & "é" ', parentCid: parent, context } }) as { cid: number, cids: number[] }
  t.same(made.cids, [made.cid])
  t.equal((await h.call('get', P.forum, learner, { params: { forumId: String(made.cid) } })).forums[0]?.name, 'Group & "é"', 'name as sent, trimmed')
})

t.test('legacy forum remove: bodies checked; only a moderator, only forums of that context', async (t) => {
  const h = harness()
  const mentor = await h.user('sb-m')
  const other = await h.user('sb-o')
  const parent = await h.fake.createCategory({ name: 'Groups', description: '', parentCid: 0, isPrivate: false })
  h.fake.settings.legacyParentCids = [parent]
  const { cid } = await h.call('post', P.legacyForums, mentor, { body: { name: 'G', parentCid: parent, context } }) as { cid: number }
  const before = h.fake.dump()
  for (const body of [{}, { context, cids: [] }, { context, cids: ['1'] }, { context }, { cids: [cid] }, { context, cids: [cid], x: 1 }]) {
    t.equal((await h.fail('post', P.legacyForumsRemove, mentor, { body })).code, 'INVALID_REQUEST', JSON.stringify(body))
  }
  t.equal((await h.fail('post', P.legacyForumsRemove, mentor, { body: { context: { type: 'group', identifier: 'g-2' }, cids: [cid] } })).code, 'FORUM_NOT_FOUND')
  t.equal((await h.fail('post', P.legacyForumsRemove, mentor, { body: { context, cids: [cid, 9999] } })).code, 'FORUM_NOT_FOUND', 'one unknown forum refuses all')
  t.equal((await h.fail('post', P.legacyForumsRemove, other, { body: { context, cids: [cid] } })).code, 'FORBIDDEN')
  t.equal(h.fake.dump(), before, 'nothing changed')
  t.same(await h.call('post', P.legacyForumsRemove, mentor, { body: { context, cids: [cid, cid] } }), { removed: [cid], deleted: [] })
  t.equal((await h.call('get', P.contextForums, mentor, { params: context })).count, 0)
  t.equal((await h.fail('post', P.legacyForumsRemove, mentor, { body: { context, cids: [cid] } })).code, 'FORUM_NOT_FOUND', 'already unlinked')
})

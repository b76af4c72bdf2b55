import t from 'tap'
import { contextTagsResult, deletedPostKey, deletedTopicKey, forumReadResult, tagTopicsResult, userCreateResult, v2Body, withoutHiddenDeleted } from '../../adapter/discussion/legacy-answers'

t.test('v2Body: success carries v3\'s response as the payload; a failure says v2\'s preamble, then NodeBB\'s reason after `|`', async (t) => {
  t.same(v2Body(200, { status: { code: 'ok' }, response: { tid: 5 } }), { code: 'ok', payload: { tid: 5 } })
  t.same(v2Body(200, null), { code: 'ok', payload: {} }, 'a body that is not JSON')
  t.same(v2Body(202, { response: { queued: true } }), { code: 'ok', payload: { queued: true } })
  const refused = v2Body(403, { status: { code: 'forbidden', message: '[[error:no-privileges]]' }, response: {} })
  t.equal(refused.code, 'forbidden')
  t.equal(String(refused.message).split('|')[1]?.trim(), '[[error:no-privileges]]')
  t.same(refused.params, {})
  t.same(v2Body(404, {}), { code: 'not-found', message: 'Invalid API call', params: {} }, 'no reason: the preamble alone')
  t.equal(v2Body(502, '<html>').code, 'internal-server-error')
  t.equal(v2Body(500, { status: { message: 'boom' } }).message, 'An unexpected error was encountered while attempting to service your request. | boom')
})

t.test('withoutHiddenDeleted: only a deleted post whose content NodeBB hid is left out', async (t) => {
  const page = { tid: 1, posts: [{ pid: 1, deleted: 0, content: 'a' }, { pid: 2, deleted: 1, content: deletedPostKey }, { pid: 3, deleted: true, content: 'mine' }, { pid: 4, deleted: false, content: deletedPostKey }, 'odd'] }
  t.same((withoutHiddenDeleted(page) as typeof page).posts, [{ pid: 1, deleted: 0, content: 'a' }, { pid: 3, deleted: true, content: 'mine' }, { pid: 4, deleted: false, content: deletedPostKey }, 'odd'])
  const clean = { posts: [{ pid: 1, deleted: 0, content: 'a' }] }
  t.equal(withoutHiddenDeleted(clean), clean, 'nothing to leave out: the page as it came')
  t.equal(withoutHiddenDeleted(null), null)
  const category = { cid: 5, topics: [{ tid: 1, deleted: 0, title: 'a' }, { tid: 2, deleted: 1, title: deletedTopicKey }, { tid: 3, deleted: 1, title: 'mine' }] }
  t.same((withoutHiddenDeleted(category) as typeof category).topics.map((x) => x.tid), [1, 3], 'a topic list too')
  t.same(withoutHiddenDeleted({ topics: [{ deleted: '0', title: deletedTopicKey }] }), { topics: [{ deleted: '0', title: deletedTopicKey }] })
  t.same(withoutHiddenDeleted({ posts: 'x' }), { posts: 'x' })
})

t.test('contextTagsResult counts each tag over the topics, first seen first', async (t) => {
  t.same(contextTagsResult([
    { topics: [{ tags: [{ value: 'a', color: 'red' }, { value: 'b' }] }, { tags: [{ value: 'a' }] }, { tags: 'x' }, 'odd', { tags: [{ value: 5 }, null] }] },
    { topics: [{ tags: [{ value: 'b' }] }] },
    null,
    { topics: null }
  ]), [{ value: 'a', color: 'red', score: 2 }, { value: 'b', score: 2 }])
  t.same(contextTagsResult([]), [])
})

t.test('tagTopicsResult keeps the topics of the categories asked for', async (t) => {
  t.same(tagTopicsResult({ topics: [{ tid: 1, cid: 5 }, { tid: 2, cid: '6' }, { tid: 3, cid: 7 }, null] }, [5, 6]), [{ tid: 1, cid: 5 }, { tid: 2, cid: '6' }])
  t.same(tagTopicsResult(null, [5]), [])
  t.same(tagTopicsResult({ topics: 'x' }, [5]), [])
})

t.test('forumReadResult and userCreateResult: the old plugins\' shapes', async (t) => {
  t.same(forumReadResult([{ type: 'group', identifier: 'g1', cids: [3, 4] }, { type: 'group', identifier: 'g2', cids: [] }]), [
    { sbType: 'group', sbIdentifier: 'g1', cid: 3 }, { sbType: 'group', sbIdentifier: 'g1', cid: 4 }
  ])
  t.same(userCreateResult(7, 'ann', 'ann'), { userId: { uid: 7 }, userSlug: 'ann', userName: 'ann' })
})

import t from 'tap'
import { ForumDeleteResult, ForumFetchResult, ForumReadResult, ForumResult, responseEnvelope } from '../../shared/schemas'
import { privilegesForLevel } from '../../shared/permission-ladder'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { schemaCheck } from './schema-check'

const forumResult = schemaCheck(responseEnvelope(ForumResult))
const readResult = schemaCheck(responseEnvelope(ForumReadResult))
const fetchResult = schemaCheck(responseEnvelope(ForumFetchResult))
const deleteResult = schemaCheck(responseEnvelope(ForumDeleteResult))
const ctx = { type: 'batch', identifier: 'b-1' }

async function withUsers (t: Parameters<typeof appWithStandIn>[0]): Promise<AppWithStandIn> {
  const s = await appWithStandIn(t)
  for (const id of ['learner-1', 'learner-2', 'mentor-1']) {
    const res = await s.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: id, username: id.replace('-', '') } } })
    if (res.status !== 200) throw new Error(res.raw)
  }
  s.reset()
  return s
}

type AnyForum = Record<string, any>

t.test('create, read, fetch, update, delete through NodeBB', async (t) => {
  const { send, nodebb, reached } = await withUsers(t)

  const created = await send({
    method: 'POST',
    url: '/api/forum/v1/create',
    payload: {
      params: { msgid: 'f-1' },
      request: {
        name: 'Batch 1',
        context: ctx,
        groups: [{ permissions: ['post'], members: ['learner-1'], applyToChildren: 'true' }],
        privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }],
        children: [{ name: 'Week 1' }]
      }
    }
  })
  t.equal(created.status, 200, created.raw)
  t.equal(forumResult(created.body), null, 'create answers the published schema')
  t.equal(created.body.id, 'api.discussions.forum.create')
  const forum = created.body.result.forum as AnyForum
  const id = created.body.result.identifier as string
  t.equal(forum.identifier, id)
  t.equal(forum.name, 'Batch 1')
  t.equal(forum.public, false)
  t.same(forum.groups.map((g: AnyForum) => g.permissions), [['read', 'vote', 'post']])
  t.same(forum.users, [{ identifier: 'mentor-1', permissions: ['read', 'vote', 'post', 'topic', 'moderate'], applyToChildren: false }])
  t.equal(forum.children[0].name, 'Week 1')
  const groupId = forum.groups[0].identifier as string
  // NodeBB's own state, read the way NodeBB stores privileges
  const held = (member: string): string[] => privilegesForLevel('moderate').filter((p) => nodebb.fake.db.zsets.get(`group:cid:${id}:privileges:groups:${p}:members`)?.has(member) === true)
  t.same(held(groupId), privilegesForLevel('post'))
  t.equal(reached(), 1, 'one Write API call')

  const read = await send({ method: 'GET', url: `/api/forum/v1/read/${id}` })
  t.equal(read.status, 200)
  t.equal(readResult(read.body), null)
  t.equal(read.body.id, 'api.discussions.forum.read')
  t.same(read.body.result, { identifier: id, forums: [forum] }, 'read gives what create gave, as `forums: [forum]` (seed 001)')

  const fetched = await send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } })
  t.equal(fetched.status, 200)
  t.equal(fetchResult(fetched.body), null)
  t.equal(fetched.body.result.count, 1)
  t.same((fetched.body.result.forums as AnyForum[])[0], forum)
  t.equal(nodebb.calls.at(-1)?.path, '/api/v3/plugins/sunbird/contexts/batch/b-1/forums')
  t.equal(nodebb.calls.at(-1)?.method, 'GET', 'fetch is a GET to NodeBB')

  const updated = await send({
    method: 'PATCH',
    url: `/api/forum/v1/update/${id}`,
    payload: { request: { name: 'Batch One', groups: [{ identifier: groupId, permissions: ['read'] }], privileges: [{ permissions: null, users: ['mentor-1'] }] } }
  })
  t.equal(updated.status, 200, updated.raw)
  t.equal(forumResult(updated.body), null)
  t.equal(updated.body.id, 'api.discussions.forum.update')
  const after = updated.body.result.forum as AnyForum
  t.equal(after.name, 'Batch One')
  t.same(after.groups.map((g: AnyForum) => [g.identifier, g.permissions]), [[groupId, ['read']]])
  t.same(after.users, [])
  t.same(held(groupId), privilegesForLevel('read'))
  t.same(nodebb.calls.at(-1)?.body, { name: 'Batch One', groups: [{ identifier: groupId, permissions: ['read'] }], privileges: [{ permissions: null, users: ['mentor-1'] }], _uid: nodebb.admin })

  const empty = await send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: { type: 'batch', identifier: 'other' } } } })
  t.same(empty.body.result, { forums: [], count: 0 })

  const deleted = await send({ method: 'DELETE', url: `/api/forum/v1/delete/${id}` })
  t.equal(deleted.status, 200, deleted.raw)
  t.equal(deleteResult(deleted.body), null)
  t.equal(deleted.body.id, 'api.discussions.forum.delete')
  t.same(deleted.body.result, { identifier: id, deleted: [forum.children[0].identifier, id], groupsRemoved: [groupId] })
  t.equal(nodebb.calls.at(-1)?.uid, String(nodebb.admin), '`_uid` in the query string for DELETE')
  t.equal(nodebb.fake.db.hashes.has(`category:${id}`), false, 'the category is gone from NodeBB')

  const gone = await send({ method: 'GET', url: `/api/forum/v1/read/${id}` })
  t.equal(gone.status, 404)
  t.equal(gone.body.params.err, 'FORUM_NOT_FOUND')
})

t.test('a child forum under a parent; hostile but valid names round-trip', async (t) => {
  const { send } = await withUsers(t)
  const name = '<img src=x onerror=alert(1)> "quoted" \'; DROP TABLE categories;-- 😀 \u202Eright-to-left'
  const parent = await send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name, context: ctx, public: true } } })
  t.equal(parent.status, 200, parent.raw)
  t.equal((parent.body.result.forum as AnyForum).name, name)
  t.equal((parent.body.result.forum as AnyForum).public, true)
  const child = await send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'Child', context: ctx, parent: parent.body.result.identifier } } })
  t.equal(child.status, 200, child.raw)
  t.equal((child.body.result.forum as AnyForum).parent, parent.body.result.identifier)
})

t.test('the plugin\'s refusals keep their code, and change nothing', async (t) => {
  const { send, nodebb } = await withUsers(t)
  const before = nodebb.fake.dump()
  const cases: Array<[string, Parameters<typeof send>[0], number, string]> = [
    ['unknown forum (read)', { method: 'GET', url: '/api/forum/v1/read/999' }, 404, 'FORUM_NOT_FOUND'],
    ['unknown forum (update)', { method: 'PATCH', url: '/api/forum/v1/update/999', payload: { request: { name: 'x' } } }, 404, 'FORUM_NOT_FOUND'],
    ['unknown forum (delete)', { method: 'DELETE', url: '/api/forum/v1/delete/999' }, 404, 'FORUM_NOT_FOUND'],
    ['unknown parent', { method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx, parent: '999' } } }, 404, 'PARENT_NOT_FOUND'],
    ['unknown member', { method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx, groups: [{ permissions: ['read'], members: ['ghost-1'] }] } } }, 404, 'USER_NOT_FOUND'],
    ['unknown group', { method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx, privileges: [{ permissions: ['read'], groups: ['No Such Group'] }] } } }, 404, 'GROUP_NOT_FOUND'],
    ['system group', { method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx, privileges: [{ permissions: ['read'], groups: ['administrators'] }] } } }, 403, 'FORBIDDEN'],
    ['unknown permission name', { method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx, groups: [{ permissions: ['read', 'admin'] }] } } }, 400, 'INVALID_REQUEST']
  ]
  for (const [name, inject, status, err] of cases) {
    const res = await send(inject)
    t.equal(res.status, status, `${name}: ${res.raw}`)
    t.equal(res.body.params.err, err, name)
    t.equal(res.body.params.status, 'failed', name)
  }
  const unknownMember = await send(cases[4]?.[1] as Parameters<typeof send>[0])
  t.same(unknownMember.body.result, { users: ['ghost-1'] }, 'the plugin\'s details reach the client')
  t.equal(nodebb.fake.dump(), before, 'NodeBB state unchanged')
})

t.test('routes live under ROUTE_PREFIX', async (t) => {
  const { send } = await appWithStandIn(t, { ROUTE_PREFIX: '/discussions' })
  const res = await send({ method: 'POST', url: '/discussions/api/forum/v1/fetch', payload: { request: { context: ctx } } })
  t.equal(res.status, 200, res.raw)
  t.equal((await send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } })).status, 404)
  t.equal((await send({ method: 'GET', url: '/ready' })).status, 200, '/ready stays at the root')
})

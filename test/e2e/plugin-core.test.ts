import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { callNodebb, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * Issue 3's checks against a real NodeBB, through NodeBB's own Write API: the plugin's routes
 * with the master token, and NodeBB's topic/reply/category routes acting as each user (`_uid`).
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('plugin core on a real NodeBB', async (t) => run(t, target))
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const tag = randomBytes(3).toString('hex')
  const admin = nb.adminUid
  const plugin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, uid: number, body?: Record<string, unknown>) =>
    callNodebb(nb, method, `/api/v3/plugins/sunbird${path}`, uid, body)
  const ctx = { type: 'batch', identifier: `e2e-${tag}` }
  const uids: Record<string, number> = {}

  await t.test('users: create, and the same Sunbird id again is USER_EXISTS', async (t) => {
    for (const who of ['mentor', 'poster', 'topicer', 'member', 'outsider']) {
      const res = await plugin('POST', '/users', admin, { identifier: `${who}-${tag}`, username: `${who.slice(0, 6)}${tag}` })
      t.equal(res.status, 200, `${who}: ${JSON.stringify(res.body)}`)
      uids[who] = Number(res.body.response?.uid)
    }
    const again = await plugin('POST', '/users', admin, { identifier: `mentor-${tag}`, username: `other${tag}` })
    t.equal(again.status, 409)
    t.equal(again.body.response?.error, 'USER_EXISTS')
    const bad = await plugin('POST', '/users', admin, { identifier: `bad-${tag}`, username: 'x' })
    t.equal(bad.status, 400)
    t.match(String(bad.body.status?.message), /username-too-short/)
  })

  let forum: any
  await t.test('forum create with groups, privileges and nested children', async (t) => {
    const res = await plugin('POST', '/forums', admin, {
      name: `E2E ${tag}`,
      context: ctx,
      groups: [{ permissions: ['read'], members: [`member-${tag}`] }],
      privileges: [
        { permissions: ['moderate'], users: [`mentor-${tag}`] },
        { permissions: ['post'], users: [`poster-${tag}`], applyToChildren: true },
        { permissions: ['topic'], users: [`topicer-${tag}`] }
      ],
      children: [{ name: 'Week 1', children: [{ name: 'Day 1' }] }]
    })
    t.equal(res.status, 200, JSON.stringify(res.body))
    forum = res.body.response?.forum
    t.equal(forum.public, false)
    t.match(forum.groups[0].identifier, new RegExp(`^${forum.identifier}-`))
    const grandchild = forum.children[0].children[0]
    t.same(grandchild.users, [{ identifier: `poster-${tag}`, permissions: ['read', 'vote', 'post'], applyToChildren: false }], 'applyToChildren reaches grandchildren')
  })

  let tid = 0
  await t.test('topic level can create a topic; post level can reply but not create', async (t) => {
    const topic = await callNodebb(nb, 'POST', '/api/v3/topics', uids.topicer as number, { cid: Number(forum.identifier), title: `Hello ${tag}`, content: 'First topic from the topic-level user' })
    t.equal(topic.status, 200, JSON.stringify(topic.body))
    tid = Number((topic.body.response as { tid?: number } | undefined)?.tid)
    t.ok(tid > 0)
    const reply = await callNodebb(nb, 'POST', `/api/v3/topics/${tid}`, uids.poster as number, { content: 'A reply from the post-level user' })
    t.equal(reply.status, 200, `reply (not queued): ${JSON.stringify(reply.body).slice(0, 300)}`)
    t.ok((reply.body.response as { pid?: number } | undefined)?.pid, 'the reply was posted, not queued')
    const denied = await callNodebb(nb, 'POST', '/api/v3/topics', uids.poster as number, { cid: Number(forum.identifier), title: `Nope ${tag}`, content: 'post level cannot create topics' })
    t.equal(denied.status, 403, JSON.stringify(denied.body).slice(0, 300))
  })

  await t.test('a new forum is invisible to registered users', async (t) => {
    // NodeBB answers 200 with an empty response for a category the caller cannot read
    const outsider = await callNodebb(nb, 'GET', `/api/v3/categories/${forum.identifier}`, uids.outsider as number)
    t.equal(outsider.body.response?.cid, undefined, `an outsider (registered user) does not see it: ${JSON.stringify(outsider.body).slice(0, 200)}`)
    const member = await callNodebb(nb, 'GET', `/api/v3/categories/${forum.identifier}`, uids.member as number)
    t.equal(Number(member.body.response?.cid), Number(forum.identifier), 'a read-level group member sees it')
    const adminView = await callNodebb(nb, 'GET', `/api/v3/categories/${forum.identifier}`, admin)
    t.equal(Number(adminView.body.response?.cid), Number(forum.identifier), 'an administrator sees it')
  })

  await t.test('moderate can update the forum; post cannot', async (t) => {
    const ok = await plugin('PATCH', `/forums/${forum.identifier}`, uids.mentor as number, { name: `E2E ${tag} renamed` })
    t.equal(ok.status, 200, JSON.stringify(ok.body).slice(0, 300))
    t.equal((ok.body.response as any).forum.name, `E2E ${tag} renamed`)
    const no = await plugin('PATCH', `/forums/${forum.identifier}`, uids.poster as number, { name: 'hijacked' })
    t.equal(no.status, 403)
    t.equal(no.body.response?.error, 'FORBIDDEN')
  })

  await t.test('permissions: null removes access', async (t) => {
    const res = await plugin('PATCH', `/forums/${forum.identifier}`, uids.mentor as number, { privileges: [{ permissions: null, users: [`poster-${tag}`], applyToChildren: true }] })
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300))
    t.notOk((res.body.response as any).forum.users.some((u: any) => u.identifier === `poster-${tag}`))
    const reply = await callNodebb(nb, 'POST', `/api/v3/topics/${tid}`, uids.poster as number, { content: 'should be refused now' })
    t.equal(reply.status, 403)
  })

  await t.test('fetch by context lists the context\'s forums with nested children', async (t) => {
    const res = await plugin('GET', `/contexts/${ctx.type}/${ctx.identifier}/forums`, admin)
    t.equal(res.status, 200)
    const body = res.body.response as any
    t.equal(body.count, 1)
    t.equal(body.forums[0].identifier, forum.identifier)
    t.equal(body.forums[0].children[0].children[0].name, 'Day 1')
  })

  await t.test('delete leaves no category, group or index entry', async (t) => {
    const denied = await plugin('DELETE', `/forums/${forum.identifier}`, uids.topicer as number)
    t.equal(denied.status, 403)
    const res = await plugin('DELETE', `/forums/${forum.identifier}`, uids.mentor as number)
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300))
    const deleted = (res.body.response as any).deleted as string[]
    t.equal(deleted.length, 3)
    for (const cid of deleted) {
      const cat = await callNodebb(nb, 'GET', `/api/v3/categories/${cid}`, admin)
      t.equal(cat.body.response?.cid, undefined, `category ${cid} is gone`)
    }
    for (const name of (res.body.response as any).groupsRemoved as string[]) {
      const group = await callNodebb(nb, 'GET', `/api/v3/groups/${encodeURIComponent(name.toLowerCase())}`, admin)
      t.not(group.status, 200, `group ${name} is gone`)
    }
    const fetched = await plugin('GET', `/contexts/${ctx.type}/${ctx.identifier}/forums`, admin)
    t.same(fetched.body.response, { forums: [], count: 0 })
    const read = await plugin('GET', `/forums/${forum.identifier}`, admin)
    t.equal(read.status, 404)
    t.equal(read.body.response?.error, 'FORUM_NOT_FOUND')
  })

  await t.test('a learner cannot call the plugin routes with their own session or token', async (t) => {
    // the master token acting as a non-admin uid is the adapter; a user's own token is not
    const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/users', uids.outsider as number, { identifier: `x-${tag}`, username: `xx${tag}` }, 'not-a-token')
    t.equal(res.status, 401)
  })
}

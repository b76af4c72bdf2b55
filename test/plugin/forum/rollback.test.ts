import t, { type Test } from 'tap'
import { harness, pluginPaths } from '../helper'

const ctx = { type: 'batch', identifier: 'b-1' }
const P = pluginPaths

/** Runs `op` once to count its writes, then again with a failure injected at every write step. */
async function everyStep (t: Test, name: string, setup: () => Promise<{ h: ReturnType<typeof harness>, op: (h: ReturnType<typeof harness>) => Promise<unknown> }>): Promise<void> {
  const probe = await setup()
  const start = probe.h.fake.writes
  await probe.op(probe.h)
  const steps = probe.h.fake.writes - start
  t.ok(steps >= 3, `${name} makes ${steps} writes`)
  for (let k = 0; k < steps; k++) {
    const { h, op } = await setup()
    const before = h.fake.dump()
    h.fake.failAfterWrites(k)
    let failed: unknown = null
    try {
      await op(h)
    } catch (err) {
      failed = err
    }
    t.ok(failed !== null, `${name}: failure at write ${k + 1} of ${steps} surfaces`)
    t.equal((failed as { code?: string }).code, 'INTERNAL_ERROR', `${name}: step ${k + 1} answers INTERNAL_ERROR`)
    t.equal(h.fake.dump(), before, `${name}: state after a failure at write ${k + 1} equals the state before`)
  }
}

t.test('forum create: a failure at any write leaves nothing behind', async (t) => {
  await everyStep(t, 'create', async () => {
    const h = harness()
    await h.user('learner-1')
    await h.user('mentor-1')
    h.fake.addGroup('Mentors')
    h.fake.settings.allowedGroups = ['Mentors']
    return {
      h,
      op: (h) => h.call('post', P.forums, h.admin, {
        body: {
          name: 'F',
          context: ctx,
          groups: [{ permissions: ['post'], members: ['learner-1'], applyToChildren: true }, { permissions: ['read'] }],
          privileges: [{ permissions: ['moderate'], users: ['mentor-1'], groups: ['Mentors'] }],
          children: [{ name: 'C', groups: [{ permissions: ['topic'], members: ['mentor-1'] }], children: [{ name: 'G' }] }]
        }
      })
    }
  })
})

t.test('forum update: a failure at any write leaves the forum as it was', async (t) => {
  await everyStep(t, 'update', async () => {
    const h = harness()
    await h.user('learner-1')
    await h.user('learner-2')
    await h.user('mentor-1')
    const f = await h.call('post', P.forums, h.admin, {
      body: {
        name: 'F',
        context: ctx,
        groups: [{ permissions: ['topic'], members: ['learner-1'] }],
        privileges: [{ permissions: ['post'], users: ['learner-2'], applyToChildren: true }],
        children: [{ name: 'C' }]
      }
    })
    const group = f.forum.groups[0]!.identifier
    return {
      h,
      op: (h) => h.call('patch', P.forum, h.admin, {
        params: { forumId: f.identifier },
        body: {
          name: 'Renamed',
          groups: [{ identifier: group, permissions: ['read'], members: ['learner-2'], applyToChildren: true }, { permissions: ['vote'], members: ['mentor-1'] }],
          privileges: [{ permissions: null, users: ['learner-2'], applyToChildren: true }, { permissions: ['moderate'], users: ['mentor-1'] }],
          children: [{ name: 'New', groups: [{ permissions: ['read'] }] }]
        }
      })
    }
  })
})

t.test('user create: a failure at any write leaves no user and no mapping', async (t) => {
  await everyStep(t, 'user create', async () => {
    const h = harness()
    return { h, op: (h) => h.call('post', P.users, h.admin, { body: { identifier: 'sb-9', username: 'learner9' } }) }
  })
})

t.test('forum delete: a failure at any write leaves every forum not yet purged whole; a retry finishes the delete', async (t) => {
  const setup = async () => {
    const h = harness()
    await h.user('learner-1')
    await h.user('mentor-1')
    const f = await h.call('post', P.forums, h.admin, {
      body: {
        name: 'F',
        context: ctx,
        groups: [{ permissions: ['post'], members: ['learner-1'], applyToChildren: true }],
        privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }],
        children: [{ name: 'C', groups: [{ permissions: ['topic'], members: ['mentor-1', 'learner-1'] }], children: [{ name: 'G' }] }]
      }
    })
    const c = f.forum.children[0]!
    // C's group also holds read on F (a tree's own group may be named anywhere in the tree)
    await h.call('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: { privileges: [{ permissions: ['read'], groups: [c.groups[0]!.identifier] }] } })
    const cids = [f.identifier, c.identifier, c.children[0]!.identifier] as string[]
    return { h, root: f.identifier as string, cids }
  }
  /** Each forum as read, without its children (which a purge below it changes). */
  const views = async (h: ReturnType<typeof harness>, cids: string[]): Promise<Map<string, unknown>> => {
    const out = new Map<string, unknown>()
    for (const cid of cids) {
      try {
        const { forums: [forum] } = await h.call('get', P.forum, h.admin, { params: { forumId: cid } })
        out.set(cid, { name: forum!.name, groups: forum!.groups, users: forum!.users })
      } catch {}
    }
    return out
  }

  const probe = await setup()
  const clean = probe.h.fake.dump()
  const start = probe.h.fake.writes
  await probe.h.call('delete', P.forum, probe.h.admin, { params: { forumId: probe.root } })
  const steps = probe.h.fake.writes - start
  const deletedState = probe.h.fake.dump()
  t.ok(clean !== deletedState && steps >= 4, `delete makes ${steps} writes`)

  for (let k = 0; k < steps; k++) {
    const { h, root, cids } = await setup()
    const before = h.fake.dump()
    const whole = await views(h, cids)
    h.fake.failAfterWrites(k)
    const err = await h.fail('delete', P.forum, h.admin, { params: { forumId: root } })
    t.equal(err.code, 'INTERNAL_ERROR', `failure at write ${k + 1} of ${steps} answers INTERNAL_ERROR`)
    const after = await views(h, cids)
    if (after.size === cids.length) {
      t.equal(h.fake.dump(), before, `write ${k + 1}: nothing purged yet, so nothing changed`)
    } else {
      // a purged forum's own groups go with it (their names start with its id), wherever they held access
      const purged = cids.filter((cid) => !after.has(cid))
      for (const [cid, view] of after) {
        const expected = whole.get(cid) as { groups: Array<{ identifier: string }> }
        t.same(view, { ...expected, groups: expected.groups.filter((g) => !purged.some((p) => g.identifier.startsWith(`${p}-`))) }, `write ${k + 1}: forum ${cid}, not yet purged, is whole: its groups, members and grants back`)
      }
    }
    const retry = await h.call('delete', P.forum, h.admin, { params: { forumId: after.has(root) ? root : [...after.keys()][0] ?? root } }).catch(() => null)
    if (after.size > 0) t.ok(retry !== null, `write ${k + 1}: a retry finishes the delete`)
    t.same(await views(h, cids), new Map(), `write ${k + 1}: in the end no forum is left`)
  }
})

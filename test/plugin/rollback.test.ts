import t, { type Test } from 'tap'
import { harness, pluginPaths } from './helper'

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
    const group = f.forum.groups[0].identifier
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

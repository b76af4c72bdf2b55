import t from 'tap'
import { harness, pluginPaths } from '../helper'
import { webhookKeys } from '../../../plugin/activity/webhooks'

/**
 * Apps' own events (POST /sunbird/activity, seed 000): recorded beside NodeBB's, listed with the
 * same filters and read access, queued for webhooks, and refused whole when anything is wrong.
 */
async function world () {
  const clock = { now: 1_700_000_000_000 }
  const h = harness({ now: () => clock.now })
  const learner = await h.user('learner-1', 'learner1')
  const outsider = await h.user('outsider-1', 'outsider1')
  const forum = await h.call('post', pluginPaths.forums, h.admin, { body: { name: 'Batch', context: { type: 'batch', identifier: 'b1' }, privileges: [{ permissions: ['post'], users: ['learner-1'] }] } })
  const other = await h.call('post', pluginPaths.forums, h.admin, { body: { name: 'Other', context: { type: 'batch', identifier: 'b2' }, privileges: [{ permissions: ['post'], users: ['outsider-1'] }] } })
  h.settings.values.webhookUrls = 'https://hooks.example.org/a'
  h.settings.values.webhookSecret = 'a-secret-of-16-chars'
  return { h, clock, learner, outsider, forum: forum.identifier as string, other: other.identifier as string }
}

const event = (extra: Record<string, unknown> = {}) => ({
  actor: 'learner-1',
  verb: 'completed',
  object: { type: 'course', identifier: 'do_1234', title: 'Algebra 1' },
  context: { type: 'batch', identifier: 'b1' },
  ...extra
})

t.test('an app\'s event is recorded, listed with NodeBB\'s (filterable by verb) and queued for webhooks', async (t) => {
  const w = await world()
  const created = await w.h.call('post', pluginPaths.activity, w.h.admin, { body: event({ forum: w.forum, time: 1_600_000_000_000 }) })
  t.match(created, { identifier: String })
  const whole = await w.h.call('post', pluginPaths.activity, w.h.admin, { body: event({ verb: 'enrolled', object: { type: 'batch', identifier: 'b1' } }) })
  const list = async (uid: number, query: Record<string, unknown>) => await w.h.call('get', pluginPaths.activity, uid, { query })
  const byContext = await list(w.h.admin, { contextType: 'batch', contextId: 'b1' })
  t.equal(byContext.count, 2)
  t.same(byContext.activities.find((a: { id: string }) => a.id === created.identifier), {
    id: created.identifier,
    source: 'app',
    verb: 'completed',
    actor: { identifier: 'learner-1', uid: w.learner },
    object: { type: 'course', id: 'do_1234', title: 'Algebra 1' },
    context: { type: 'batch', identifier: 'b1' },
    forum: { identifier: w.forum, root: w.forum, context: { type: 'batch', identifier: 'b1' } },
    time: 1_600_000_000_000
  })
  t.same((await list(w.h.admin, { contextType: 'batch', contextId: 'b1', verbs: 'completed' })).activities.map((a: { id: string }) => a.id), [created.identifier], 'by verb')
  t.same((await list(w.h.admin, { forum: w.forum })).activities.map((a: { id: string }) => a.id), [created.identifier], 'by forum: the context-wide one is in no forum')
  t.same((await list(w.h.admin, { user: 'learner-1' })).count, 2, 'by acting user')
  t.equal((await list(w.learner, { contextType: 'batch', contextId: 'b1' })).count, 2, 'the learner reads the batch forum: both')
  t.equal((await list(w.outsider, { contextType: 'batch', contextId: 'b1' })).count, 0, 'an outsider: neither')
  t.equal((await list(w.outsider, {})).activities.some((a: { id: string }) => a.id === whole.identifier), false)
  t.equal((await w.h.fake.db.getSortedSetRange(webhookKeys.outbox, 0, -1)).length, 2, 'both queued for the webhook')
})

t.test('refused whole, nothing recorded nor queued', async (t) => {
  const w = await world()
  const before = w.h.fake.dump()
  const cases: Array<[string, number, unknown, string]> = [
    ['not an administrator', w.learner, event(), 'FORBIDDEN'],
    ['unknown actor', w.h.admin, event({ actor: 'nobody-9' }), 'USER_NOT_FOUND'],
    ['unknown forum', w.h.admin, event({ forum: '999' }), 'FORUM_NOT_FOUND'],
    ['forum of another context', w.h.admin, event({ forum: w.other }), 'INVALID_REQUEST'],
    ['NodeBB\'s own verb', w.h.admin, event({ verb: 'post.reply' }), 'INVALID_REQUEST'],
    ['verb with spaces', w.h.admin, event({ verb: 'did it' }), 'INVALID_REQUEST'],
    ['verb too long', w.h.admin, event({ verb: 'x'.repeat(65) }), 'INVALID_REQUEST'],
    ['verb not a string', w.h.admin, event({ verb: 7 }), 'INVALID_REQUEST'],
    ['no object', w.h.admin, { ...event(), object: undefined }, 'INVALID_REQUEST'],
    ['object id with a control character', w.h.admin, event({ object: { type: 'course', identifier: 'a\u0000b' } }), 'INVALID_REQUEST'],
    ['title too long', w.h.admin, event({ object: { type: 'course', identifier: 'c', title: 'x'.repeat(501) } }), 'INVALID_REQUEST'],
    ['unknown field', w.h.admin, event({ admin: true }), 'INVALID_REQUEST'],
    ['time negative', w.h.admin, event({ time: -1 }), 'INVALID_REQUEST'],
    ['time a string', w.h.admin, event({ time: '2026-01-01' }), 'INVALID_REQUEST'],
    ['context missing', w.h.admin, { ...event(), context: undefined }, 'INVALID_REQUEST']
  ]
  for (const [why, uid, body, code] of cases) t.equal((await w.h.fail('post', pluginPaths.activity, uid, { body })).code, code, why)
  t.equal(w.h.fake.dump(), before)
})

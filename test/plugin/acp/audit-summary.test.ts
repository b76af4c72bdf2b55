import t from 'tap'
import { pluginPaths } from '../../../plugin/routes'
import { noCaller } from '../../../plugin/caller'
import { summaryOf } from '../../../plugin/acp/audit-summary'
import type { AuditEntry } from '../../../plugin/acp/audit-entry'
import { acpHarness, type AcpHarness } from './harness'
import { summaryText } from '../phrases'

/**
 * What the audit log says a change did, read off the plan that ran and the state it ran against:
 * every kind of change an administrator asks about, in the words the ACP shows.
 */
const P = pluginPaths
const ctx = { type: 'batch', identifier: 'b-1' }
const service = { ...noCaller, msgid: 'm-svc', consumer: 'course-service' }

async function latest (h: AcpHarness): Promise<AuditEntry & { text: string }> {
  const page = await h.recorder.log.list({}, 1, 0, (e) => h.recorder.names.fill(e))
  const entry = page.entries[0] as AuditEntry
  return { ...entry, text: summaryText(summaryOf(entry)) }
}

async function course (h: AcpHarness) {
  for (const who of ['mentor-a', 'mentor-b', 'learner-a', 'learner-b']) await h.user(who, who)
  const { result } = await h.audited('post', P.forums, h.admin, {
    caller: service,
    body: {
      name: 'Course X',
      context: ctx,
      groups: [{ permissions: ['topic'], members: ['learner-a'] }],
      privileges: [{ permissions: ['moderate'], users: ['mentor-a'], applyToChildren: true }],
      children: [{ name: 'Week 1' }, { name: 'Week 2' }, { name: 'Week 3', children: [{ name: 'Quiz' }] }]
    }
  })
  return result
}

t.test('create: the forum, its sub-forums, and who got which level where', async (t) => {
  const h = acpHarness()
  const created = await course(h)
  const group = created.forum.groups[0].identifier
  const entry = await latest(h)
  t.equal(entry.operation, 'forum.create')
  t.equal(entry.outcome, 'ok')
  t.equal(entry.msgid, 'm-svc')
  t.same(entry.actor, { uid: h.admin, username: null, sunbirdId: null, consumer: 'course-service', service: true }, 'a service is named by its consumer')
  t.same(entry.forum, { id: created.identifier, name: 'Course X', context: ctx })
  t.equal(entry.forumIds.length, 5, 'the forum and its four sub-forums')
  t.equal(entry.text, [
    'created Course X (batch:b-1) with 4 sub-forum(s)',
    `gave group ${group} topic on Course X`,
    'gave mentor-a moderate on Course X and 4 sub-forum(s)',
    `added learner-a to group ${group}`
  ].join('; '))
})

t.test('update: levels raised, lowered, given and removed, a rename, new children, members replaced', async (t) => {
  const h = acpHarness()
  const created = await course(h)
  const id = created.identifier
  const group = created.forum.groups[0].identifier
  const learnerB = (await h.call('get', P.userUid, h.admin, { params: { identifier: 'learner-b' } })).uid
  await h.audited('patch', P.forum, learnerB, { params: { forumId: id }, body: { name: 'nope' }, caller: { ...noCaller, msgid: 'm-0', consumer: 'portal', user: 'f:realm:learner-b' } })
  const refused = await latest(h)
  t.equal(refused.outcome, 'FORBIDDEN')
  t.equal(refused.text, 'refused: nothing changed')
  t.same(refused.actor, { uid: learnerB, username: 'learner-b', sunbirdId: 'learner-b', consumer: 'portal', service: false }, 'named when read')
  t.same(refused.forum, { id, name: 'Course X', context: ctx })

  const mentorA = (await h.call('get', P.userUid, h.admin, { params: { identifier: 'mentor-a' } })).uid
  await h.audited('patch', P.forum, mentorA, {
    params: { forumId: id },
    caller: { ...noCaller, msgid: 'm-1', consumer: 'portal', user: 'f:realm:mentor-a' },
    body: {
      name: 'Course X (2027)',
      groups: [{ identifier: group, members: ['learner-b'] }],
      privileges: [
        { permissions: ['moderate'], users: ['learner-a'] },
        { permissions: ['read'], users: ['mentor-b'] },
        { permissions: ['post'], users: ['mentor-a'], applyToChildren: true }
      ],
      children: [{ name: 'Week 4' }]
    }
  })
  const entry = await latest(h)
  t.equal(entry.outcome, 'ok')
  t.same(entry.actor, { uid: mentorA, username: 'mentor-a', sunbirdId: 'mentor-a', consumer: 'portal', service: false })
  t.equal(entry.forum?.name, 'Course X (2027)', 'the forum by its new name')
  t.equal(entry.text, [
    'added sub-forum Week 4 to Course X (2027)',
    'renamed Course X to Course X (2027)',
    'gave learner-a moderate on Course X (2027)',
    'gave mentor-b read on Course X (2027)',
    'gave mentor-a post on Week 4',
    'lowered mentor-a from moderate to post on Course X (2027) and 4 sub-forum(s)',
    `added learner-b to group ${group}`,
    `removed learner-a from group ${group}`
  ].join('; '))

  await h.audited('patch', P.forum, h.admin, { params: { forumId: id }, body: { privileges: [{ permissions: null, users: ['learner-a'] }, { permissions: ['topic'], users: ['mentor-b'] }] } })
  t.equal((await latest(h)).text, 'raised mentor-b from read to topic on Course X (2027); removed learner-a from Course X (2027)')
  await h.audited('patch', P.forum, h.admin, { params: { forumId: id }, body: { privileges: [{ permissions: ['topic'], users: ['mentor-b'] }] } })
  t.equal((await latest(h)).text, 'no change', 'declaring what is already held changes nothing')
})

t.test('repair, delete, notification, settings and user create', async (t) => {
  const h = acpHarness()
  const created = await course(h)
  const id = created.identifier
  const group = created.forum.groups[0].identifier
  await h.fake.rescindPrivileges(Number(id), ['groups:topics:create'], [group])
  await h.audited('post', P.repair, h.admin, { params: { forumId: id } })
  t.equal((await latest(h)).text, `put group ${group} back to topic on Course X`)

  await h.audited('post', P.notifications, h.admin, { body: { forum: id, title: 'Hello', body: 'Class at 10' } })
  const notified = await latest(h)
  t.equal(notified.operation, 'notification.send')
  t.equal(notified.text, 'notified 2 of 2 member(s) of Course X')
  await h.audited('post', P.notifications, h.admin, { body: { users: ['learner-a', 'learner-b', 'mentor-b'], title: 'Hi', body: 'x' } })
  t.equal((await latest(h)).text, 'notified 3 of 3 user(s)')

  await h.audited('put', P.settings, h.admin, { body: { webhookUrls: 'https://hooks.example.org/a', webhookSecret: 'a-secret-of-16-chars', defaultPublic: 'off' } })
  const saved = await latest(h)
  t.equal(saved.operation, 'settings.save')
  t.equal(saved.text, 'changed the setting "Webhook subscribers"; changed the setting "Webhook secret"', 'what changed, never the values')
  t.notMatch(JSON.stringify(saved), /a-secret-of-16-chars|hooks\.example/)

  await h.audited('post', P.users, h.admin, { body: { identifier: 'f:realm:new-user', username: 'newbie' } })
  t.equal((await latest(h)).text, 'created user newbie (f:realm:new-user)')

  await h.audited('delete', P.forum, h.admin, { params: { forumId: id } })
  const deleted = await latest(h)
  t.equal(deleted.text, 'deleted Course X (batch:b-1) with 4 sub-forum(s) and 1 group(s)', 'named from the tree read before the purge')
  t.same(deleted.forum, { id, name: 'Course X', context: ctx })
})

t.test('reads are not logged; refusals go to their own list', async (t) => {
  const h = acpHarness()
  const created = await course(h)
  const before = (await h.recorder.log.list({}, 100, 0)).count
  for (const [method, path, params] of [
    ['get', P.forum, { forumId: created.identifier }],
    ['get', P.drift, {}],
    ['get', P.audit, {}],
    ['get', P.contextForums, ctx],
    ['put', P.userNotificationsRead, { identifier: 'learner-a' }]
  ] as const) {
    const { error } = await h.audited(method, path, h.admin, { params, body: method === 'put' ? { all: true } : undefined })
    t.equal(error, null, `${method} ${path} answered`)
  }
  t.equal((await h.recorder.log.list({}, 100, 0)).count, before, 'no entry for reads or a user\'s own read marks')
  await h.audited('get', P.forum, h.admin, { params: { forumId: '999999' } })
  const refusals = await h.recorder.log.list({ outcome: 'refused' }, 10, 0)
  t.same(refusals.entries.map((e) => [e.route, e.outcome, e.forum?.id]), [['GET /sunbird/forums/:forumId', 'FORUM_NOT_FOUND', '999999']], 'a refused read is a refusal')
  t.equal((await h.recorder.log.list({ outcome: 'ok' }, 100, 0)).count, before)
})

t.test('one large request is one small entry: members and forums summed up, facts bounded', async (t) => {
  const h = acpHarness()
  const users = Array.from({ length: 60 }, (_v, i) => `u-${i}`)
  const others = Array.from({ length: 30 }, (_v, i) => `v-${i}`)
  for (const id of [...users, ...others]) await h.user(id, id)
  await h.audited('post', P.forums, h.admin, {
    body: {
      name: 'Big',
      context: ctx,
      privileges: [{ permissions: ['moderate'], users, applyToChildren: true }],
      children: others.map((v, i) => ({ name: `C${i}`, privileges: [{ permissions: ['read'], users: [v] }] }))
    }
  })
  const entry = await latest(h)
  t.equal(entry.facts.length, 20, 'facts bounded')
  t.equal(entry.more, 12, 'the rest counted')
  t.match(entry.text, /^created Big \(batch:b-1\) with 30 sub-forum\(s\); gave u-0 and 59 other\(s\) moderate on Big and 30 sub-forum\(s\); gave v-0 read on C0; gave v-1 read on C1; .*; and 12 more change\(s\)$/)
  t.ok(JSON.stringify(entry).length < 12_000, `${JSON.stringify(entry).length} bytes`)
})

t.test('a repeated msgid replays the first answer and logs nothing more: the first run is the change', async (t) => {
  const h = acpHarness()
  await h.user('mentor-r', 'mentor-r')
  const call = { caller: { ...noCaller, msgid: 'm-replay', consumer: 'course-service' }, body: { name: 'Once', context: ctx, privileges: [{ permissions: ['moderate'], users: ['mentor-r'] }] } }
  const first = await h.audited('post', P.forums, h.admin, call)
  const again = await h.audited('post', P.forums, h.admin, call)
  t.equal(again.result.identifier, first.result.identifier, 'the same answer')
  const creates = await h.recorder.log.list({ operation: 'forum.create' }, 10, 0)
  t.equal(creates.count, 1, 'one entry')
  t.equal(creates.entries[0]?.msgid, 'm-replay')
})

import t from 'tap'
import { harness, pluginPaths, type PluginHarness } from './helper'
import { escapeNotificationText } from '../../plugin/notification-service'

async function world (): Promise<{ h: PluginHarness, clock: { now: number }, mentor: number, a: number, b: number, forum: string }> {
  const clock = { now: 1_700_000_000_000 }
  const h = harness({ now: () => clock.now })
  const mentor = await h.user('mentor-1', 'mentor1')
  const a = await h.user('learner-a', 'learnera')
  const b = await h.user('learner-b', 'learnerb')
  await h.user('learner-c', 'learnerc')
  const created = await h.call('post', pluginPaths.forums, h.admin, {
    body: {
      name: 'Batch',
      context: { type: 'batch', identifier: 'b1' },
      public: true,
      groups: [{ permissions: ['read'], members: ['learner-b'] }],
      privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }, { permissions: ['post'], users: ['learner-a'] }]
    }
  })
  return { h, clock, mentor, a, b, forum: created.identifier as string }
}

const send = (h: PluginHarness, uid: number, body: unknown): Promise<any> => h.call('post', pluginPaths.notifications, uid, { body })
const list = (h: PluginHarness, uid: number, identifier: string, query: Record<string, unknown> = {}): Promise<any> => h.call('get', pluginPaths.userNotifications, uid, { params: { identifier }, query })
const markRead = (h: PluginHarness, uid: number, identifier: string, body: unknown): Promise<any> => h.call('put', pluginPaths.userNotificationsRead, uid, { params: { identifier }, body })

t.test('send to users: one NodeBB notification, pushed to each', async (t) => {
  const { h, a, b } = await world()
  const result = await send(h, h.admin, { users: ['learner-a', 'learner-b'], title: 'Exam <b>moved</b> [[x]]', body: 'See the batch page', url: '/category/1', from: 'mentor-1' })
  t.equal(result.delivered, 2)
  t.match(result.identifier, /^sunbird:/)
  const stored = h.fake.db.hashes.get(`notifications:${result.identifier as string}`)
  t.equal(stored?.get('bodyShort'), 'Exam &lt;b&gt;moved&lt;/b&gt; &#91;&#91;x&#93;&#93;', 'NodeBB shows it as written: no HTML, no translation keys')
  t.equal(stored?.get('path'), '/category/1')
  t.equal(h.fake.calls.get('sendNotification'), 1, 'one create + push')
  for (const uid of [a, b]) t.ok(h.fake.db.zsets.get(`uid:${uid}:notifications:unread`)?.has(result.identifier), `unread for uid ${uid}`)
  const listed = await list(h, h.admin, 'learner-a')
  t.same(listed.notifications, [{ id: result.identifier, type: 'sunbird', title: stored?.get('bodyShort'), body: 'See the batch page', url: '/category/1', from: 'mentor-1', read: false, time: 1_700_000_000_000 }])
  t.same([listed.count, listed.unread, listed.offset], [1, 1, null])
})

t.test('send to a forum: every member with read (users and group members), not system groups', async (t) => {
  const { h, mentor, a, b, forum } = await world()
  const result = await send(h, mentor, { forum, title: 'Hi', body: 'All of you' })
  t.equal(result.delivered, 3, 'mentor, learner-a and group member learner-b; not registered-users of the public forum')
  for (const uid of [mentor, a, b]) t.ok(h.fake.db.zsets.get(`uid:${uid}:notifications:unread`)?.has(result.identifier))
  t.notOk(h.fake.db.zsets.get(`uid:${h.admin}:notifications:unread`), 'administrators are not members')
})

t.test('send: refusals change nothing', async (t) => {
  const { h, a, forum } = await world()
  const before = h.fake.dump()
  const cases: Array<[number, unknown, string]> = [
    [h.admin, { users: ['learner-a', 'ghost-1', 'ghost-2'], title: 'x', body: 'y' }, 'USER_NOT_FOUND'],
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', from: 'ghost' }, 'USER_NOT_FOUND'],
    [h.admin, { forum: '999', title: 'x', body: 'y' }, 'FORUM_NOT_FOUND'],
    [a, { forum, title: 'x', body: 'y' }, 'FORBIDDEN'],
    [a, { users: ['learner-b'], title: 'x', body: 'y' }, 'FORBIDDEN'],
    [h.admin, { users: ['learner-a'], forum, title: 'x', body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { title: 'x', body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { users: [], title: 'x', body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: '', body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: '   ', body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: 'x'.repeat(256), body: 'y' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', url: 'javascript:alert(1)' }, 'INVALID_REQUEST'],
    // no open redirect through the bell: protocol-relative and backslash paths go to another host
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', url: '//evil.example/x' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', url: '/\\evil.example' }, 'INVALID_REQUEST'],
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', url: 'https://evil.example/x' }, 'INVALID_REQUEST'],
    // from is the sender's own, unless a service or an administrator names someone
    [a, { forum, title: 'x', body: 'y', from: 'mentor-1' }, 'FORBIDDEN'],
    [h.admin, { users: ['learner-a'], title: 'x', body: 'y', extra: 1 }, 'INVALID_REQUEST'],
    [h.admin, ['learner-a'], 'INVALID_REQUEST']
  ]
  for (const [uid, body, code] of cases) {
    const err = await h.fail('post', pluginPaths.notifications, uid, { body })
    t.equal(err.code, code, JSON.stringify(body).slice(0, 80))
  }
  const unknown = await h.fail('post', pluginPaths.notifications, h.admin, { body: { users: ['learner-a', 'ghost-1', 'ghost-2'], title: 'x', body: 'y' } })
  t.same(unknown.details, { users: ['ghost-1', 'ghost-2'] }, 'the unknown ids are listed')
  t.equal(h.fake.dump(), before, 'nothing written')
  t.equal(h.fake.calls.get('sendNotification'), undefined)
})

t.test('list: newest first, paged, unread filter, NodeBB\'s own notifications included', async (t) => {
  const { h, clock, a } = await world()
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    clock.now += 1000
    ids.push((await send(h, h.admin, { users: ['learner-a'], title: `N${i}`, body: 'b' })).identifier)
  }
  // one of NodeBB's own, with a translation key and a NodeBB-only sender
  await h.fake.db.setObject('notifications:new_post:tid:1:pid:2:uid:9', { nid: 'new_post:tid:1:pid:2:uid:9', type: 'new-reply', bodyShort: '[[notifications:user-posted-to, x, y]]', path: '/post/2', from: 9, datetime: clock.now + 10 })
  await h.fake.db.sortedSetAdd(`uid:${a}:notifications:read`, clock.now + 10, 'new_post:tid:1:pid:2:uid:9')
  const page1 = await list(h, h.admin, 'learner-a', { limit: '2', lang: 'en-GB', _uid: '1' })
  t.same(page1.notifications.map((n: any) => [n.title, n.read, n.from, n.body]), [['user-posted-to', true, null, null], ['N4', false, null, 'b']])
  t.same([page1.count, page1.unread, page1.offset], [6, 5, 2])
  const page3 = await list(h, h.admin, 'learner-a', { limit: '2', offset: '4' })
  t.same([page3.notifications.map((n: any) => n.title), page3.offset], [['N1', 'N0'], null])
  const unread = await list(h, h.admin, 'learner-a', { unread: 'true', limit: '10' })
  t.same([unread.notifications.length, unread.count], [5, 5])
  t.same((await list(h, h.admin, 'learner-a', { offset: '100' })).notifications, [])

  t.same(await markRead(h, a, 'learner-a', { ids: [ids[0], ids[1], 'not-mine', 'new_post:tid:1:pid:2:uid:9'] }), { marked: 2, unread: 3 }, 'the user marks their own; others ignored')
  t.notOk(h.fake.db.zsets.get(`uid:${a}:notifications:read`)?.has('not-mine'))
  t.same(await markRead(h, h.admin, 'learner-a', { all: true }), { marked: 3, unread: 0 })
  t.same(await markRead(h, h.admin, 'learner-a', { all: true }), { marked: 0, unread: 0 }, 'again: nothing to do')
  t.same((await list(h, h.admin, 'learner-a', { unread: 'true' })).notifications, [])
})

t.test('list and mark-read: a user only their own; bad input refused', async (t) => {
  const { h, a } = await world()
  await send(h, h.admin, { users: ['learner-b'], title: 'x', body: 'y' })
  const before = h.fake.dump()
  t.equal((await h.fail('get', pluginPaths.userNotifications, a, { params: { identifier: 'learner-b' } })).code, 'FORBIDDEN')
  t.equal((await h.fail('put', pluginPaths.userNotificationsRead, a, { params: { identifier: 'learner-b' }, body: { all: true } })).code, 'FORBIDDEN')
  t.equal((await h.fail('get', pluginPaths.userNotifications, h.admin, { params: { identifier: 'ghost' } })).code, 'USER_NOT_FOUND')
  for (const query of [{ limit: '0' }, { limit: '101' }, { unread: 'yes' }, { offset: 'x' }, { other: '1' }]) {
    t.equal((await h.fail('get', pluginPaths.userNotifications, h.admin, { params: { identifier: 'learner-b' }, query })).code, 'INVALID_REQUEST', JSON.stringify(query))
  }
  t.equal((await h.fail('get', pluginPaths.userNotifications, h.admin, { params: { identifier: '-a' } })).code, 'INVALID_REQUEST')
  for (const body of [{}, { all: false }, { ids: [] }, { ids: ['a'], all: true }, { ids: ['a\u0000'] }, null, 'all']) {
    t.equal((await h.fail('put', pluginPaths.userNotificationsRead, h.admin, { params: { identifier: 'learner-b' }, body })).code, 'INVALID_REQUEST', JSON.stringify(body))
  }
  t.equal(h.fake.dump(), before, 'nothing written')
})

t.test('escapeNotificationText', async (t) => {
  t.equal(escapeNotificationText('a & b < c > d "e" \'f\' [[g]]'), 'a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39; &#91;&#91;g&#93;&#93;')
})

t.test('from: the sender themselves unless a service or administrator names another; a moderator cannot speak for anyone', async (t) => {
  const { h, mentor, forum } = await world()
  const own = await send(h, mentor, { forum, title: 'From me', body: 'b' })
  t.equal(h.fake.db.hashes.get(`notifications:${own.identifier as string}`)?.get('from'), String(mentor), 'a moderator sends as themselves')
  t.equal((await h.fail('post', pluginPaths.notifications, mentor, { body: { forum, title: 'x', body: 'y', from: 'learner-a' } })).code, 'FORBIDDEN', 'not as a learner')
  const named = await send(h, mentor, { forum, title: 'x', body: 'y', from: 'mentor-1' })
  t.equal(h.fake.db.hashes.get(`notifications:${named.identifier as string}`)?.get('from'), String(mentor), 'naming yourself is fine')
  const service = await send(h, h.admin, { users: ['learner-a'], title: 'x', body: 'y' })
  t.notOk(h.fake.db.hashes.get(`notifications:${service.identifier as string}`)?.has('from'), 'a service sends from no one in particular')
})

t.test('url: a path on this forum, this forum\'s own host, or a host an administrator allowed', async (t) => {
  const { h } = await world()
  for (const url of ['/topic/1', '/', 'http://nodebb.test/category/2', 'https://nodebb.test/x?y=1#z']) {
    t.match(await send(h, h.admin, { users: ['learner-a'], title: 'x', body: 'y', url }), { delivered: 1 }, url)
  }
  t.equal((await h.fail('post', pluginPaths.notifications, h.admin, { body: { users: ['learner-a'], title: 'x', body: 'y', url: 'https://sunbird.example.org/learn' } })).code, 'INVALID_REQUEST', 'a host not allowed')
  // the plugin's settings as NodeBB's meta.settings gives them to the platform (the ACP form's parsing is tested in acp-settings)
  h.fake.settings.notificationUrlHosts = ['sunbird.example.org']
  t.match(await send(h, h.admin, { users: ['learner-a'], title: 'x', body: 'y', url: 'https://Sunbird.Example.org/learn' }), { delivered: 1 }, 'allowed once the administrator lists the host')
})

t.test('delivered counts the users the push reached: NodeBB skips those who blocked the sender or turned the type off', async (t) => {
  const { h, mentor, a, b, forum } = await world()
  h.fake.blocked.set(a, new Set([mentor]))
  h.fake.optedOut.add(b)
  const result = await send(h, mentor, { forum, title: 'Hi', body: 'All of you' })
  t.equal(result.delivered, 1, 'only the mentor: learner-a blocked them, learner-b turned Sunbird notifications off')
  t.notOk(h.fake.db.zsets.get(`uid:${a}:notifications:unread`)?.has(result.identifier))
})

import t from 'tap'
import { acpDefaults, parseAcpSettings, validateSettings } from '../../../plugin/acp/settings'
import { addAdminNavigation, onSettingsSet } from '../../../plugin/index'
import { pluginPaths } from '../../../plugin/routes'
import { acpHarness } from './harness'

const P = pluginPaths
const secret = 'a-secret-of-24-characters'

t.test('settings route: defaults, then a valid save is normalised and read back at once', async (t) => {
  const h = acpHarness()
  t.same(await h.query('get', P.settings), { ...withoutSecret(acpDefaults), webhookSecretSet: false })
  const saved = await h.query('put', P.settings, {}, {
    emailDomain: ' Learners.Example.org ',
    exemptNewUserRestrictions: 'off',
    defaultPublic: 'on',
    activityRetentionDays: '30',
    activityRetentionCount: '5000',
    webhookUrls: 'https://hooks.example.org/a\n\nhttps://hooks.example.org/b, https://hooks.example.org/a',
    webhookSecret: secret,
    allowedGroups: 'Course mentors\n  Reviewers, West  \n\nCourse mentors',
    notificationUrlHosts: 'Sunbird.Example.org\ndiksha.gov.in',
    legacyParentCids: '6\n12, 6',
    legacyForumsPrivate: 'on',
    legacyRemoveDeletes: 'on'
  })
  t.same(saved, {
    emailDomain: 'learners.example.org',
    exemptNewUserRestrictions: false,
    defaultPublic: true,
    activityRetentionDays: 30,
    activityRetentionCount: 5000,
    webhookUrls: ['https://hooks.example.org/a', 'https://hooks.example.org/b'],
    webhookSecretSet: true,
    webhookAllowPrivate: false,
    allowedGroups: ['Course mentors', 'Reviewers, West'],
    notificationUrlHosts: ['sunbird.example.org', 'diksha.gov.in'],
    legacyParentCids: [6, 12],
    legacyForumsPrivate: true,
    legacyRemoveDeletes: true
  }, 'the secret is never sent back')
  t.equal(h.settings.values.allowedGroups, 'Course mentors\nReviewers, West', 'group names one a line: they may hold spaces and commas')
  t.equal(h.settings.values.webhookUrls, 'https://hooks.example.org/a\nhttps://hooks.example.org/b', 'stored one a line, as the form reads it')
  t.equal(h.settings.values.webhookSecret, secret)
  t.same((await h.query('get', P.settings)).activityRetentionDays, 30, 'read per use: no restart, no cache')
})

t.test('settings route: a bad value is refused with a message naming it, and nothing is saved', async (t) => {
  const h = acpHarness({ webhookUrls: 'https://hooks.example.org/a', webhookSecret: secret })
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ emailDomain: 'http://example.org' }, /Email domain "http:\/\/example.org" is not a domain name/],
    [{ emailDomain: 'localhost' }, /Email domain/],
    [{ emailDomain: 'a@b.org' }, /Email domain/],
    [{ activityRetentionDays: '0' }, /retention \(days\) must be a whole number from 1 to 3650/],
    [{ activityRetentionDays: '12.5' }, /retention \(days\)/],
    [{ activityRetentionCount: '10' }, /retention \(records\) must be a whole number from 100/],
    [{ webhookUrls: 'http://hooks.example.org/x' }, /Webhook "http:\/\/hooks.example.org\/x" is not an https URL/],
    [{ webhookUrls: 'not a url' }, /Webhook "not" is not a URL/],
    [{ webhookUrls: 'https://user:pw@hooks.example.org/' }, /must not carry a user name or password/],
    [{ webhookSecret: 'short' }, /webhook secret must be 16 to 256 characters/],
    [{ webhookSecret: '' }, /Webhook URLs need a webhook secret/],
    [{ allowedGroups: 'cid:1:privileges:read' }, /Allowed group "cid:1:privileges:read" is not a group name/],
    [{ allowedGroups: 'a/b' }, /Allowed group "a\/b"/],
    [{ notificationUrlHosts: 'https://sunbird.example.org' }, /Notification URL host "https:\/\/sunbird.example.org" is not a host name/],
    [{ notificationUrlHosts: 'host:8080' }, /Notification URL host "host:8080"/],
    [{ webhookUrls: 'https://169.254.169.254/' }, /private or link-local address/],
    [{ legacyParentCids: '6\nsix' }, /Parent category "six" is not a category id/],
    [{ legacyParentCids: '0' }, /Parent category "0"/],
    [{ legacyParentCids: Array.from({ length: 101 }, (_v, i) => String(i + 1)).join('\n') }, /At most 100 parent categories/],
    [{ adminRoles: 'ORG_ADMIN' }, /Unknown setting adminRoles/],
    [{ somethingElse: 'x' }, /Unknown setting somethingElse/]
  ]
  for (const [body, message] of cases) {
    const before = JSON.stringify(h.settings.values)
    const err = await h.queryFail('put', P.settings, {}, body)
    t.equal(err.code, 'INVALID_REQUEST', JSON.stringify(body))
    t.match(err.message, message)
    t.equal(JSON.stringify(h.settings.values), before, 'nothing saved')
  }
  t.equal((await h.queryFail('put', P.settings, {}, ['x'])).code, 'INVALID_REQUEST')
})

t.test('saving one field keeps the others; cross-field checks see what is stored', async (t) => {
  const current = { webhookUrls: 'https://hooks.example.org/a', webhookSecret: secret, activityRetentionDays: '7' }
  t.same(validateSettings({ defaultPublic: 'on' }, current), { defaultPublic: 'on' })
  t.throws(() => validateSettings({ webhookSecret: '' }, current), /need a webhook secret/)
  t.same(validateSettings({ webhookUrls: '' }, current), { webhookUrls: '' }, 'removing the subscribers needs no secret')
})

t.test('a bad stored value reads as its default', async (t) => {
  t.same(parseAcpSettings({ activityRetentionDays: 'x', activityRetentionCount: '5', emailDomain: 'nope', webhookUrls: 'http://a.example\nhttps://b.example/\nhttps://10.0.0.1/', allowedGroups: 'ok\nbad/one', notificationUrlHosts: 'good.example bad_host', legacyParentCids: '7 x 0' }), {
    ...acpDefaults, webhookUrls: ['https://b.example/'], allowedGroups: ['ok'], notificationUrlHosts: ['good.example'], legacyParentCids: [7]
  })
})

t.test('filter:settings.set validates our hash only, and keeps NodeBB\'s alert readable', async (t) => {
  const stored: Record<string, unknown> = { webhookUrls: 'https://hooks.example.org/a', webhookSecret: secret }
  ;(globalThis as { nodebb?: unknown }).nodebb = {
    require: (id: string) => {
      if (id === './src/meta') return { settings: { get: async () => ({ ...stored }), set: async () => {} } }
      throw new Error(`unexpected module ${id}`)
    }
  }
  t.teardown(() => { delete (globalThis as { nodebb?: unknown }).nodebb })
  const other = { plugin: 'quickstart', settings: { anything: 'goes' } }
  t.same(await onSettingsSet(other), other)
  const ok = await onSettingsSet({ plugin: 'sunbird-discussions', settings: { emailDomain: 'EXAMPLE.org', defaultPublic: 'on' } })
  t.same(ok.settings, { emailDomain: 'example.org', defaultPublic: 'on' })
  t.equal(ok.quiet, true, 'no "restart required" banner: settings are read per use')
  await t.rejects(onSettingsSet({ plugin: 'sunbird-discussions', settings: { emailDomain: 'a,b.org' } }), { message: /Email domain "a&#44;b.org" is not a domain name/ })
  await t.rejects(onSettingsSet({ plugin: 'sunbird-discussions', settings: { webhookSecret: '' } }), { message: /need a webhook secret/ })
})

t.test('ACP menu entry', async (t) => {
  t.same(await addAdminNavigation({ plugins: [] }), { plugins: [{ route: '/plugins/sunbird-discussions', icon: 'fa-sun', name: 'Sunbird Discussions' }] })
})

function withoutSecret<T extends { webhookSecret: string }> (s: T): Omit<T, 'webhookSecret'> {
  const { webhookSecret: _ignored, ...rest } = s
  return rest
}

import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { callNodebb, nodebbTarget, type NodebbTarget } from './nodebb'

/**
 * Issue 7 in a real browser against a real NodeBB: an admin logs in, opens the plugin's ACP page,
 * finds a context's forum and its ladder matrix, breaks a privilege in NodeBB's own privileges
 * page, sees the drift in the plugin's page, repairs it, and finds the repair in the audit log.
 * Needs NODEBB_URL, NODEBB_TOKEN, NODEBB_ADMIN_USER, NODEBB_ADMIN_PASSWORD and a Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium). ACP_SCREENSHOT_DIR (e.g. docs) keeps screenshots.
 */
const target = nodebbTarget()
const adminUser = process.env.NODEBB_ADMIN_USER ?? ''
const adminPassword = process.env.NODEBB_ADMIN_PASSWORD ?? ''
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const shots = process.env.ACP_SCREENSHOT_DIR ?? ''

if (target === null || adminUser === '' || adminPassword === '') {
  t.plan(0, 'NODEBB_URL, NODEBB_TOKEN, NODEBB_ADMIN_USER and NODEBB_ADMIN_PASSWORD are not all set: the ACP browser test needs a real NodeBB 4 with the plugin active and its admin login')
} else if (!existsSync(chromiumPath)) {
  t.plan(0, `no Chromium at ${chromiumPath} (set CHROMIUM_PATH; on Debian: apt-get install chromium)`)
} else {
  t.test('ACP page in a browser on a real NodeBB', async (t) => run(t, target))
}

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

async function shot (page: Page, selector: string, name: string): Promise<void> {
  if (shots !== '') await page.locator(selector).screenshot({ path: join(shots, name) })
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const tag = randomBytes(3).toString('hex')
  const admin = nb.adminUid
  const plugin = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: Record<string, unknown>) => callNodebb(nb, method, `/api/v3/plugins/sunbird${path}`, admin, body)
  const ctx = { type: 'batch', identifier: `acp-${tag}` }

  for (const who of ['mentor', 'learner']) {
    const res = await plugin('POST', '/users', { identifier: `${who}-${tag}`, username: `${who.slice(0, 6)}${tag}` })
    t.equal(res.status, 200, `user ${who}: ${JSON.stringify(res.body).slice(0, 200)}`)
  }
  const created = await plugin('POST', '/forums', {
    name: `ACP ${tag}`,
    context: ctx,
    groups: [{ permissions: ['topic'], members: [`learner-${tag}`] }],
    privileges: [{ permissions: ['moderate'], users: [`mentor-${tag}`] }],
    children: [{ name: `ACP ${tag} week 1` }]
  })
  t.equal(created.status, 200, JSON.stringify(created.body).slice(0, 300))
  const forum = (created.body.response as any).forum
  const cid = String(forum.identifier)
  const group = String(forum.groups[0].identifier)
  t.teardown(async () => { await plugin('DELETE', `/forums/${cid}`) })

  const browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  page.setDefaultTimeout(20000)

  await t.test('log in as admin and open the plugin page', async (t) => {
    await page.goto(`${nb.url}/login`)
    await page.fill('#username', adminUser)
    await page.fill('#password', adminPassword)
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('#login')])
    await page.goto(`${nb.url}/admin/plugins/sunbird-discussions`)
    await page.waitForSelector('form.sunbird-settings')
    t.match(await page.locator('[component="settings/main/header"] h4').innerText(), /Sunbird Discussions/)
    await page.locator('#emailDomain').waitFor()
  })

  await t.test('settings: a bad value is refused with NodeBB\'s alert and a clear message', async (t) => {
    await page.fill('#webhookUrls', 'http://hooks.example.org/insecure')
    await page.click('#save')
    const alert = page.locator('.alert-window .alert, [component="toaster/toast"]', { hasText: 'not an https URL' })
    await alert.first().waitFor()
    t.match(await alert.first().innerText(), /"http:\/\/hooks.example.org\/insecure" is not an https URL/)
    await page.reload()
    await page.waitForSelector('form.sunbird-settings')
  })

  await t.test('search the context: the forum tree with its ladder matrix', async (t) => {
    await page.fill('#sunbird-search-type', ctx.type)
    await page.fill('#sunbird-search-identifier', ctx.identifier)
    await page.click('[component="sunbird/search/context/go"]')
    const card = page.locator(`[component="sunbird/forum"][data-forum-id="${cid}"]`)
    await card.waitFor()
    const cells = async (member: string) => card.locator(`tr[data-member="${member}"] td[data-level]`).evaluateAll((tds) => tds.map((td) => `${td.getAttribute('data-level') ?? ''}:${td.getAttribute('data-state') ?? ''}`))
    t.same(await cells(`g:${group}`), ['read:full', 'vote:full', 'post:full', 'topic:full', 'moderate:'])
    t.same(await cells(`u:mentor-${tag}`), ['read:full', 'vote:full', 'post:full', 'topic:full', 'moderate:full'])
    t.equal(await card.locator(`tr[data-member="g:${group}"] [component="sunbird/member-count"]`).innerText(), '1')
    t.equal(await card.locator(`a[href$="/category/${cid}"]`).count(), 1, 'links the NodeBB category page')
    t.equal(await card.locator(`a[href$="/groups/${group.toLowerCase()}"]`).count(), 1, 'links the group page')
    t.equal(await page.locator(`[component="sunbird/forum"][data-forum-id="${forum.children[0].identifier}"]`).count(), 1, 'the child forum is in the tree')
    await shot(page, '#sunbird-forums', 'acp-matrix.png')
  })

  await t.test('break a privilege in NodeBB\'s own privileges page', async (t) => {
    await page.goto(`${nb.url}/admin/manage/privileges/${cid}`)
    await page.click('[component="privileges/groups/filters"] button[data-filter="posting"]')
    const box = page.locator(`tr[data-group-name="${group}"] td[data-privilege="groups:topics:create"] input`)
    t.equal(await box.isChecked(), true)
    await box.uncheck()
    await page.click('#save')
    await page.locator('.bootbox .bootbox-accept').click()
    // the page commits with one socket call per changed box and shows no toast: wait for NodeBB to hold it
    let ours: any
    for (let i = 0; i < 50 && ours === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      const drift = await plugin('GET', '/drift')
      ours = ((drift.body.response as any).forums as any[]).find((f) => f.identifier === cid)
    }
    t.same(ours?.members.map((m: any) => [m.key, m.recorded, m.missing]), [[`g:${group}`, 'topic', ['topics:create']]], 'NodeBB took the edit')
  })

  await t.test('the plugin page shows the drift and repairs it', async (t) => {
    await page.goto(`${nb.url}/admin/plugins/sunbird-discussions`)
    const card = page.locator(`[component="sunbird/drift/forum"][data-forum-id="${cid}"]`)
    await card.waitFor()
    const row = card.locator(`[component="sunbird/drift/member"][data-member="g:${group}"]`)
    t.match(await row.innerText(), /topic[\s\S]*post[\s\S]*topics:create/)
    await shot(page, '#sunbird-drift', 'acp-drift.png')
    await card.locator('[component="sunbird/drift/repair"]').click()
    await card.waitFor({ state: 'detached' })
    const drift = await plugin('GET', '/drift')
    t.notOk(((drift.body.response as any).forums as any[]).some((f) => f.identifier === cid), 'no drift left on the forum')
    const audit = page.locator('[component="sunbird/audit/entry"][data-operation="POST /sunbird/forums/:forumId/repair"][data-outcome="ok"]', { hasText: cid })
    await audit.first().waitFor()
    t.ok(await audit.count() >= 1, 'the repair is in the audit log')
    await page.selectOption('#sunbird-audit-operation', 'POST /sunbird/forums/:forumId/repair')
    await page.fill('#sunbird-audit-forum', cid)
    await page.click('[component="sunbird/audit/filter"] button[type="submit"]')
    // runs in the page (the tests' TypeScript has no DOM types)
    await page.waitForFunction(`[...document.querySelectorAll('[component="sunbird/audit/entry"]')].every((tr) => tr.getAttribute('data-operation') === 'POST /sunbird/forums/:forumId/repair' && tr.textContent.includes('${cid}'))`)
    await page.fill('#sunbird-search-type', ctx.type)
    await page.fill('#sunbird-search-identifier', ctx.identifier)
    await page.click('[component="sunbird/search/context/go"]')
    await page.locator(`[component="sunbird/forum"][data-forum-id="${cid}"] tr[data-member="g:${group}"] td[data-level="topic"][data-state="full"]`).waitFor()
    await shot(page, '.acp-page-container #spy-container', 'acp-repaired.png')
  })
}

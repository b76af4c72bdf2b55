import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build, testConfig } from '../helper'
import { apiRsaToken, userToken } from '../tokens'
import { callNodebb, nodebbTarget, skipReason, type NodebbTarget } from './nodebb'

/**
 * Sunbird's real client, `CsDiscussionService` of `@project-sunbird/client-services` (the object
 * the discussions UI and the portal call), driven against the adapter over HTTP on a real NodeBB.
 * The package is not a dependency of this project (it pulls in jsonld, a crypto stack and a
 * telemetry SDK): install it in a folder of your own and name it, e.g.
 *   mkdir /tmp/cs && cd /tmp/cs && npm init -y && npm i @project-sunbird/client-services@8.1.4 reflect-metadata
 *   LEGACY_CLIENT_DIR=/tmp/cs NODEBB_URL=... NODEBB_TOKEN=... npx tap test/e2e/legacy-client.test.ts
 * Its bundle is a browser build (UMD over `window`); in Node it loads once `window` is the global.
 */
const target = nodebbTarget()
const clientDir = process.env.LEGACY_CLIENT_DIR ?? ''

if (target === null) {
  t.plan(0, skipReason)
} else if (clientDir === '') {
  t.plan(0, 'LEGACY_CLIENT_DIR is not set: a folder where @project-sunbird/client-services is installed')
} else {
  t.test('CsDiscussionService against the adapter', async (t) => run(t, target))
}

type Observable<T> = { toPromise: () => Promise<T> }
interface DiscussionService {
  createUser: (data: unknown) => Observable<any>
  createForum: (data: unknown) => Observable<any>
  getForumIds: (data: unknown) => Observable<any>
  getUserDetails: (uid: number) => Observable<any>
  getContextBasedTopic: (cid: number, page: number) => Observable<any>
  getContextBasedDiscussion: (data: unknown) => Observable<any>
  createPost: (data: unknown) => Observable<any>
  fetchTopicById: (tid: number, slug: string, page: number) => Observable<any>
  replyPost: (tid: number, data: unknown) => Observable<any>
  votePost: (pid: number, data: unknown) => Observable<any>
  bookmarkPost: (pid: number) => Observable<any>
  recentPost: (slug: string, page: number) => Observable<any>
  fetchUpvoted: (slug: string, page: number) => Observable<any>
  fetchSaved: (slug: string, page: number) => Observable<any>
  contextBasedTags: (data: unknown) => Observable<any>
  getContextBasedTagDiscussion: (data: unknown) => Observable<any>
  removeForum: (data: unknown) => Observable<any>
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const app: FastifyInstance = await build(t, { config: testConfig({ NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid), NODEBB_TIMEOUT_MS: '20000' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const host = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const tag = randomBytes(3).toString('hex')

  const parentAnswer = await callNodebb(nb, 'POST', '/api/v3/categories', nb.adminUid, { name: `Client groups ${tag}` })
  const parent = Number(parentAnswer.body.response?.cid)
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/categories/${parent}`, nb.adminUid) })
  const before = await callNodebb(nb, 'GET', '/api/v3/plugins/sunbird/settings', nb.adminUid)
  const previous = (before.body.response?.legacyParentCids as number[] | undefined) ?? []
  // private while this runs (a forum visible to registered users would reach other suites' users too)
  const wasPrivate = before.body.response?.legacyForumsPrivate === true
  await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { legacyParentCids: [...previous, parent].join('\n'), legacyForumsPrivate: 'on' })
  t.teardown(async () => { await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { legacyParentCids: previous.join('\n'), legacyForumsPrivate: wasPrivate ? 'on' : 'off' }) })
  const classmate = `client-classmate-${tag}`
  await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/users', nb.adminUid, { identifier: classmate, username: `cc${tag}` })

  // the client keeps one configuration per process: the learner's tokens, as the portal sets them
  ;(globalThis as { window?: unknown }).window = globalThis
  const load = createRequire(join(clientDir, 'package.json'))
  load('reflect-metadata')
  const { CsModule } = load('@project-sunbird/client-services') as { CsModule: { instance: { init: (c: unknown) => Promise<void>, discussionService: DiscussionService, updateConfig: (c: unknown) => void, config: any } } }
  const learner = `client-learner-${tag}`
  const config = (sunbirdId: string): unknown => ({
    core: { httpAdapter: 'HttpClientBrowserAdapter', global: { channelId: 'channel', producerId: 'portal', deviceId: 'device' }, api: { host, authentication: { bearerToken: apiRsaToken(), userToken: userToken(sunbirdId) } } },
    // the discussion service is built with the form service (attachForum reads a form); the portal's path
    services: { discussionServiceConfig: { apiPath: '/discussion' }, formServiceConfig: { apiPath: '/api/data/v1/form' } }
  })
  await CsModule.instance.init(config(learner))
  const d = CsModule.instance.discussionService

  const user = await d.createUser({ username: `cl${tag}`, identifier: learner }).toPromise()
  const uid = user.result.userId.uid as number
  t.type(uid, 'number', 'createUser: result.userId.uid')
  const group = `client-group-${tag}`
  const forum = await d.createForum({ category: { name: `Client forum ${tag}`, pid: String(parent), description: '', context: [{ type: 'group', identifier: group }] } }).toPromise()
  const cid = forum.result.forums[0].newCid as number
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid) })
  await callNodebb(nb, 'PATCH', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid, { privileges: [{ permissions: ['post'], users: [classmate] }] })
  t.same((await d.getForumIds({ identifier: [group], type: 'group' }).toPromise()).result.map((r: { cid: number }) => r.cid), [cid], 'getForumIds: result[].cid')
  t.equal((await d.getUserDetails(uid).toPromise()).uid, uid, 'getUserDetails')
  t.equal((await d.getContextBasedTopic(cid, 1).toPromise()).privileges['topics:create'], true, 'getContextBasedTopic: privileges')
  t.equal((await d.getContextBasedDiscussion({ cids: [cid] }).toPromise()).result[0].cid, cid, 'getContextBasedDiscussion: result[0].cid')
  const topicTag = `client${tag}`
  const created = await d.createPost({ cid, title: `A question & "more" ${tag}`, content: 'A question with ünïcode & <b>markup</b>', tags: [topicTag] }).toPromise()
  const tid = created.payload.tid as number
  t.type(tid, 'number', 'createPost')
  // a classmate answers (the client's tokens switched as the portal does on a new session), the learner reacts
  CsModule.instance.updateConfig(config(classmate))
  const reply = await d.replyPost(tid, { content: 'An answer long enough' }).toPromise()
  const pid = reply.payload.pid as number
  CsModule.instance.updateConfig(config(learner))
  t.equal((await d.votePost(pid, { delta: 1 }).toPromise()).code, 'ok', 'votePost')
  t.equal((await d.bookmarkPost(pid).toPromise()).code, 'ok', 'bookmarkPost')
  const topic = await d.fetchTopicById(tid, String(created.payload.slug).split('/')[1] ?? '', 1).toPromise()
  const answer = topic.posts.find((p: { pid: number }) => p.pid === pid)
  t.match(answer, { votes: 1, upvoted: true, bookmarked: true }, 'fetchTopicById: posts[]')
  const slug = String(user.result.userSlug)
  t.ok((await d.recentPost(slug, 1).toPromise()).posts.some((p: { tid: number, isMainPost: boolean }) => p.tid === tid && p.isMainPost), 'recentPost')
  t.ok((await d.fetchUpvoted(slug, 1).toPromise()).posts.some((p: { pid: number }) => p.pid === pid), 'fetchUpvoted')
  t.ok((await d.fetchSaved(slug, 1).toPromise()).posts.some((p: { pid: number }) => p.pid === pid), 'fetchSaved')
  t.ok((await d.contextBasedTags({ cids: [cid] }).toPromise()).result.some((x: { value: string }) => x.value === topicTag), 'contextBasedTags')
  t.same((await d.getContextBasedTagDiscussion({ cid: [cid], tag: topicTag }).toPromise()).result.map((x: { tid: number }) => x.tid), [tid], 'getContextBasedTagDiscussion')
  t.same((await d.removeForum({ sbType: 'group', sbIdentifier: group, cid: [cid] }).toPromise()).result.removed, [cid], 'removeForum')
}

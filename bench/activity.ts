/**
 * bench/activity: (a) what recording costs a reply in a real NodeBB: replies in a Sunbird forum
 * (recorded by the plugin's hooks) against replies in a plain category (the hook returns at once),
 * alternating, medians; (b) activity list latency with 10 against 100,000 entries: the plugin's
 * ActivityLog over a real Redis (a bench-owned db, default 12; only its `sunbird:activity*` keys are
 * touched and they are deleted at the end); (c) what the list's read filter costs on a real NodeBB:
 * a page as a member against the same page as an administrator. Needs NODEBB_URL and NODEBB_TOKEN
 * for (a) and (c).
 */
import { createClient } from 'redis'
import { cpus, hostname } from 'node:os'
import { ActivityLog, activityKeys } from '../plugin/activity/log'
import type { Db } from '../plugin/platform'
import type { Activity } from '../shared/schemas/activity'
import { callNodebb, e2eSetting } from '../test/e2e/nodebb'
import { benchSetup } from './nodebb-setup'

const REPLIES = Number(process.env.REPLIES ?? 40)
const ENTRIES = Number(process.env.ENTRIES ?? 100000)
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12'

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** The few database calls ActivityLog.record and .page make, over node-redis (NodeBB's semantics). */
type Client = ReturnType<typeof newClient>
const newClient = (url: string) => createClient({ url })

function redisDb (client: Client): Db {
  const db: Pick<Db, 'setObject' | 'getObjects' | 'sortedSetAdd' | 'sortedSetCount' | 'getSortedSetRevRangeByScore'> = {
    setObject: async (key, data) => { await client.hSet(key, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]))) },
    getObjects: async (keys) => {
      const multi = client.multi()
      for (const key of keys) multi.hGetAll(key)
      return (await multi.exec() as unknown as Array<Record<string, string>>).map((h) => Object.keys(h).length === 0 ? null : h)
    },
    sortedSetAdd: async (key, score, value) => { await client.zAdd(key, { score, value }) },
    sortedSetCount: async (key, min, max) => client.zCount(key, min, max),
    getSortedSetRevRangeByScore: async (key, start, count, max, min) =>
      client.zRange(key as string, max, min, { BY: 'SCORE', REV: true, LIMIT: { offset: start, count } })
  }
  // ActivityLog.record and .page use no other call
  return db as Db
}

async function listLatency (log: ActivityLog, key: string): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 320; i++) {
    const start = process.hrtime.bigint()
    await log.page({ keys: [key], limit: 20, offset: 0 })
    if (i >= 20) times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return median(times)
}

function entry (i: number, context: string, time: number): Activity {
  return {
    id: `${time.toString(36).padStart(9, '0')}${i.toString(16).padStart(8, '0')}`,
    verb: 'post.reply',
    actor: { identifier: `u-${i % 50}`, uid: 2 + (i % 50) },
    object: { type: 'post', identifier: String(i), title: 'Re: bench', url: `http://nodebb.test/post/${i}` },
    forum: { identifier: String(1 + (i % 50)), root: '1', context: { type: 'batch', identifier: context } },
    time
  } as unknown as Activity
}

async function listBench (): Promise<string[]> {
  const client = newClient(REDIS_URL)
  await client.connect()
  const db = redisDb(client)
  const log = new ActivityLog(db)
  const out: string[] = []
  const contextKey = activityKeys.context({ type: 'batch', identifier: 'measured' })
  try {
    const t0 = Date.now()
    for (let i = 0; i < 10; i++) await log.record(entry(i, 'measured', t0 + i))
    const smallContext = await listLatency(log, contextKey)
    const smallAll = await listLatency(log, activityKeys.all)
    let next = 10
    const worker = async (): Promise<void> => {
      while (next < ENTRIES) {
        const i = next++
        await log.record(entry(i, `other-${i % 1000}`, t0 + i))
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    const largeContext = await listLatency(log, contextKey)
    const largeAll = await listLatency(log, activityKeys.all)
    // a member who reads 1 forum of the 50 against an administrator (the index answers), alternating:
    // the member's read filter stands in for NodeBB's (one bulk call per chunk in the plugin)
    const paged = { member: [] as number[], admin: [] as number[] }
    let memberCount = ''
    for (let i = 0; i < 220; i++) {
      for (const who of i % 2 === 0 ? ['member', 'admin'] as const : ['admin', 'member'] as const) {
        const start = process.hrtime.bigint()
        const page = who === 'admin'
          ? await log.page({ keys: [activityKeys.all], limit: 20, offset: 0 })
          : await log.page({ keys: [activityKeys.all], limit: 20, offset: 0, keepChunk: async (chunk) => chunk.filter((a) => a.forum?.identifier === '1') })
        if (page.activities.length !== 20) throw new Error(`${who} page: ${page.activities.length} entries`)
        if (who === 'member') memberCount = `count ${page.count}, countExact ${String(page.countExact)}`
        if (i >= 20) paged[who].push(Number(process.hrtime.bigint() - start) / 1e6)
      }
    }
    const member = median(paged.member)
    const adminPage = median(paged.admin)
    out.push('| activity list (page of 20) | 10 entries (ms) | ' + `${ENTRIES.toLocaleString('en')} entries (ms) | ratio |`)
    out.push('|---|---|---|---|')
    out.push(`| by context (the measured context holds 10) | ${smallContext.toFixed(3)} | ${largeContext.toFixed(3)} | ${(largeContext / smallContext).toFixed(2)}x |`)
    out.push(`| everything, newest first | ${smallAll.toFixed(3)} | ${largeAll.toFixed(3)} | ${(largeAll / smallAll).toFixed(2)}x |`)
    out.push('')
    out.push(`| a page of 20 from ${ENTRIES.toLocaleString('en')} entries in 50 forums, 200 each, alternating | median (ms) |`)
    out.push('|---|---|')
    out.push(`| a member who reads 1 forum of 50 (read filter per chunk; ${memberCount}) | ${member.toFixed(3)} |`)
    out.push(`| an administrator (index count and range) | ${adminPage.toFixed(3)} |`)
    out.push(`member/administrator: ${(member / adminPage).toFixed(2)}x (target <= 2x)`)
  } finally {
    // only this bench's keys in its own db
    for await (const keys of client.scanIterator({ MATCH: 'sunbird:activity*', COUNT: 1000 })) {
      const list = Array.isArray(keys) ? keys : [keys]
      if (list.length > 0) await client.del(list)
    }
    await client.quit()
  }
  return out
}

async function replyBench (): Promise<string[]> {
  process.env.NODEBB_REDIS_URL ??= e2eSetting('NODEBB_REDIS_URL') ?? 'redis://127.0.0.1:6379/7'
  const setup = await benchSetup('activity', 1, 'r')
  if (setup === null) return ['(reply cost skipped: no NodeBB)']
  const { nb, redis, users } = setup
  await redis.close()
  const admin = nb.adminUid
  const poster = (await callNodebb(nb, 'GET', `/api/v3/plugins/sunbird/users/${users[0] as string}/uid`, admin)).body.response as { uid: number }
  const forum = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', admin, { name: 'bench activity', context: { type: 'batch', identifier: `bench-activity-${setup.tag}` }, privileges: [{ permissions: ['post'], users: [users[0]] }] })
  const forumId = Number((forum.body.response as { identifier: string }).identifier)
  const plain = await callNodebb(nb, 'POST', '/api/v3/categories', admin, { name: `bench plain ${setup.tag}` })
  const plainId = Number((plain.body.response as { cid: number }).cid)
  const topic = async (cid: number): Promise<number> => Number(((await callNodebb(nb, 'POST', '/api/v3/topics', admin, { cid, title: `bench ${setup.tag}`, content: 'bench topic' })).body.response as { tid: number }).tid)
  const recordedTid = await topic(forumId)
  const plainTid = await topic(plainId)
  const times = { recorded: [] as number[], plain: [] as number[] }
  for (let i = 0; i < REPLIES + 4; i++) {
    for (const [which, tid] of [['recorded', recordedTid], ['plain', plainTid]] as const) {
      const start = process.hrtime.bigint()
      const res = await callNodebb(nb, 'POST', `/api/v3/topics/${tid}`, poster.uid, { content: `reply ${i} to measure what recording costs` })
      if (res.status !== 200) throw new Error(`reply failed: ${JSON.stringify(res.body).slice(0, 200)}`)
      if (i >= 4) times[which].push(Number(process.hrtime.bigint() - start) / 1e6)
    }
  }
  // (c) the read filter: a page of 20 as a member (readable forums, then NodeBB's filterTids and
  // posts.filter for what may be seen now) against the same page as an administrator (no filter)
  await new Promise((resolve) => setTimeout(resolve, 1000)) // recording runs after NodeBB answers
  const listPath = `/api/v3/plugins/sunbird/activity?forum=${forumId}&limit=20`
  const lists = { member: [] as number[], admin: [] as number[] }
  for (let i = 0; i < 104; i++) {
    for (const [who, uid] of [['member', poster.uid], ['admin', admin]] as const) {
      const start = process.hrtime.bigint()
      const res = await callNodebb(nb, 'GET', listPath, uid)
      const count = (res.body.response as { activities?: unknown[] } | undefined)?.activities?.length
      if (res.status !== 200 || count !== 20) throw new Error(`list as ${who}: HTTP ${res.status}, ${String(count)} entries`)
      if (i >= 4) lists[who].push(Number(process.hrtime.bigint() - start) / 1e6)
    }
  }
  await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${forumId}`, admin)
  await callNodebb(nb, 'DELETE', `/api/v3/categories/${plainId}`, admin)
  const r = median(times.recorded)
  const p = median(times.plain)
  const m = median(lists.member)
  const a = median(lists.admin)
  return [
    `| reply (NodeBB POST /api/v3/topics/:tid, ${REPLIES} each, alternating) | median (ms) |`,
    '|---|---|',
    `| in a Sunbird forum (recorded) | ${r.toFixed(1)} |`,
    `| in a plain category (not recorded) | ${p.toFixed(1)} |`,
    `recording on/off: ${(r / p).toFixed(2)}x (target <= 1.05x)`,
    '',
    '| activity list, a page of 20 (GET /sunbird/activity?forum=, 100 each, alternating) | median (ms) |',
    '|---|---|',
    `| as a member (read filter: forums, then NodeBB's filterTids / posts.filter) | ${m.toFixed(1)} |`,
    `| as an administrator (no filter) | ${a.toFixed(1)} |`,
    `member/administrator: ${(m / a).toFixed(2)}x`
  ]
}

async function main (): Promise<void> {
  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`)
  if (process.env.ONLY !== 'list') for (const line of await replyBench()) console.log(line)
  for (const line of await listBench()) console.log(line)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

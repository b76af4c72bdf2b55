import t from 'tap'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { parse as parseNow } from 'qs'
import { parse as parse4112 } from 'qs-6.15.1'
import { parse as parse4151 } from 'qs-6.15.3'
import type { InjectOptions } from 'fastify'
import { appWithStandIn } from './stand-in-app'
import { apiRsaToken, callerHeaders, userToken } from '../tokens'
import { isPlainQuery, queryAs, uidInQuery } from '../../adapter/discussion/query'

/**
 * The passthrough never lets a caller choose the uid NodeBB acts as. NodeBB reads its query with
 * `qs` (NodeBB 4.11.2 pins qs 6.15.1, 4.15.1 pins 6.15.3, the adapter's own), which turns
 * `[_uid]`, `%5B_uid%5D`, `_u%69d`, `[_uid][]` ... into `_uid`; NodeBB then acts as
 * `body._uid || query._uid`. Checked here with both parsers NodeBB uses, on generated query strings.
 */
const qsVersion = (createRequire(__filename)('qs/package.json') as { version: string }).version
const nodebbParsers = { 'qs 6.15.1 (NodeBB 4.11.2)': parse4112, 'qs 6.15.3 (NodeBB 4.15.1)': parse4151, [`qs ${qsVersion} (the adapter's)`]: parseNow }
const options = { arrayLimit: 50 }

/** Every key path in a parsed query that NodeBB would see as `_uid`, at any depth. */
function uidPaths (value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, inner]) => key === '_uid' ? [[...path, key]] : uidPaths(inner, [...path, key]))
}

const keyPieces = ['_uid', '_UID', '_Uid', 'uid', 'a', 'b', '0', '1', '[', ']', '[]', '[_uid]', '%5B', '%5D', '%5b', '%5d', '%5F', '_u%69d', '%5Fuid',
  '.', '%2E', '__proto__', 'constructor', 'hasOwnProperty', '%00', '+', '%', '%2', '%3D', '%26', '[[', ']]', '_uid[]', '_uid]', '_', 'u', 'i', 'd']
const valuePieces = ['1', '2', '', '%31', '[', ']', '_uid', '=', '%26_uid%3D1']
const key = fc.array(fc.constantFrom(...keyPieces), { minLength: 1, maxLength: 6 }).map((p) => p.join(''))
const value = fc.array(fc.constantFrom(...valuePieces), { maxLength: 3 }).map((p) => p.join(''))
const pair = fc.tuple(key, fc.option(value, { nil: undefined })).map(([k, v]) => v === undefined ? k : `${k}=${v}`)
const query = fc.array(pair, { minLength: 1, maxLength: 6 }).chain((pairs) => fc.constantFrom('&', '&&').map((sep) => pairs.join(sep)))

t.test('uidInQuery finds every _uid either NodeBB parser would read; the outgoing query acts as the user only', async (t) => {
  let refused = 0
  fc.assert(fc.property(query, (q) => {
    const ours = uidInQuery(q)
    for (const [name, parse] of Object.entries(nodebbParsers)) {
      if (uidPaths(parse(q, options)).length > 0 && ours === null) throw new Error(`${name} reads a _uid in ${q}; the adapter did not`)
    }
    if (ours !== null) {
      refused++
      return
    }
    const sent = queryAs(q, 42)
    for (const [name, parse] of Object.entries(nodebbParsers)) {
      const seen = parse(sent, options)
      if (seen._uid !== '42') throw new Error(`${name} reads _uid ${JSON.stringify(seen._uid)} from ${sent}`)
      if (uidPaths(seen).length !== 1) throw new Error(`${name} reads more than one _uid from ${sent}`)
    }
  }), { numRuns: 5000 })
  t.ok(refused > 500, `the generator reaches _uid often (${refused} of 5000 refused)`)
})

t.test('the spellings seen in the attack, one by one', async (t) => {
  const attacks = ['_uid=1', '[_uid]=1', '%5B_uid%5D=1', '%5b_uid%5d=1', '[_uid][]=1', '_uid[]=1', '_uid[0]=1', '_uid[x]=1', '_u%69d=1', '%5F%75%69%64=1',
    '%5B%5F%75%69%64%5D=1', 'a[_uid]=1', 'a[b][_uid]=1', '[_uid]=1&[_uid]=2', '_UID=1', 'x=1&[_uid]=1', '_uid[=1', '[_uid]']
  for (const q of attacks) t.not(uidInQuery(q), null, q)
  for (const q of ['', 'uid=1', 'x=_uid', 'x=%5B_uid%5D', '_uid2=1', 'a_uid=1', '__uid=1', '%255Fuid=1', 'u_id=1', 'page=2&sort=newest_to_oldest']) t.equal(uidInQuery(q), null, q)
  t.equal(uidInQuery('x=1&a[b][%5Fuid]=1'), 'a[b][%5Fuid]', 'the key is named as sent')
  t.same(parse4112('[[_uid]=1', options), { '[': { _uid: '1' } }, 'qs releases differ: 6.15.1 reads a `_uid` inside `[[_uid]`...')
  t.same(parse4151('[[_uid]=1', options), { '[[_uid]': '1' }, '...6.15.3 does not')
  t.not(uidInQuery('[[_uid]=1'), null, 'so it is refused whatever the release')
  t.equal(queryAs('', 7), '_uid=7')
  t.throws(() => queryAs('_uid=1', 7), /act as \["7","1"\]/, 'the last line of defence: queryAs will not send a query its parser reads another _uid in')
  t.throws(() => queryAs('[_uid]=1', 7))
  t.equal(queryAs('page=2', 7), '_uid=7&page=2', 'the acting uid first: no parameter limit can push it out')
  const many = Array.from({ length: 1200 }, (_, i) => `p${i}=1`).join('&')
  t.equal(parseNow(queryAs(many, 7), options)._uid, '7', 'past qs\'s 1000-parameter limit, still the acting uid')
  t.ok(isPlainQuery('a=%5B1%5D&b=[]&c=~!$\'()*+,;:@/?'))
  for (const q of ['a=b#c', 'a=é', 'a=b c', 'a=\u0000', 'a=\n']) t.notOk(isPlainQuery(q), JSON.stringify(q))
})

t.test('through the adapter: a query that names _uid is refused (400) before anything reaches NodeBB, on every method', async (t) => {
  const w = await appWithStandIn(t)
  const created = await w.send({ method: 'POST', url: '/api/user/v1/create', headers: callerHeaders(), payload: { request: { identifier: 'learner-1', username: 'learner1' } } })
  t.equal(created.status, 200, created.raw)
  const learnerUid = String(created.body.result.uid)
  const headers = { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken('learner-1') }
  const routes: Array<[InjectOptions['method'], string]> = [
    ['GET', '/discussion/api/v3/posts/7/raw'],
    ['GET', '/discussion/api/v3/notifications'],
    ['DELETE', '/discussion/api/v3/topics/12/state'],
    ['PUT', '/discussion/api/v3/topics/12/lock'],
    ['POST', '/discussion/api/v3/topics/12']
  ]
  for (const [method, path] of routes) {
    for (const q of ['%5B_uid%5D=1', '[_uid]=1', '[_uid][]=1', `[_uid]=${w.nodebb.admin}&_uid[]=${learnerUid}`, '_u%69d=1']) {
      w.reset()
      const res = await w.app.inject({ method, url: `${path}?${q}`, headers: { ...headers, 'content-type': 'application/json' }, ...(method === 'POST' ? { payload: { content: 'x' } } : {}) })
      t.equal(res.statusCode, 400, `${method} ${path}?${q}`)
      t.equal(res.json().params.err, 'INVALID_REQUEST')
      t.match(res.json().params.errmsg, /_uid/)
      t.equal(w.reached(), 0, 'nothing reached NodeBB, not even the uid lookup')
    }
  }

  // generated queries through the whole adapter, read back by the NodeBB stand-in as NodeBB reads them
  await fc.assert(fc.asyncProperty(query, fc.constantFrom(...routes), async (q, [method, path]) => {
    w.reset()
    const res = await w.app.inject({ method, url: `${path}?${q}`, headers, ...(method === 'POST' ? { payload: { content: 'x' } } : {}) })
    const names = Object.values(nodebbParsers).some((parse) => uidPaths(parse(q, options)).length > 0)
    if (res.statusCode === 400) {
      if (w.reached() !== 0) throw new Error(`${q}: refused after reaching NodeBB`)
      return
    }
    if (names) throw new Error(`${method} ${path}?${q}: NodeBB would read a _uid, and it was forwarded (${res.statusCode})`)
    const call = w.nodebb.calls.at(-1)
    if (call?.uid !== learnerUid) throw new Error(`${method} ${path}?${q}: NodeBB acted as ${String(call?.uid)}, not the learner ${learnerUid}`)
  }), { numRuns: 300 })
})

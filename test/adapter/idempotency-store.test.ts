import t, { type Test } from 'tap'
import { createRedisClient } from '../../adapter/plugins/redis'
import { MemoryIdempotencyStore } from '../../adapter/idempotency/memory-store'
import { RedisIdempotencyStore } from '../../adapter/idempotency/redis-store'
import { canonicalJson, fingerprint, readValue, type IdempotencyStore } from '../../adapter/idempotency/store'
import { testRedis } from './redis-test-db'

const response = (body = '{"ok":true}') => ({ status: 200, body, err: null })

t.test('fingerprints: key order does not matter, content and route do', async (t) => {
  t.equal(canonicalJson({ b: [1, { y: 2, x: 1 }], a: null }), '{"a":null,"b":[1,{"x":1,"y":2}]}')
  t.equal(canonicalJson(undefined), 'null')
  t.equal(fingerprint('POST', '/a', { x: 1, y: 2 }), fingerprint('POST', '/a', { y: 2, x: 1 }))
  t.not(fingerprint('POST', '/a', { x: 1 }), fingerprint('POST', '/a', { x: 2 }))
  t.not(fingerprint('POST', '/a', { x: 1 }), fingerprint('PATCH', '/a', { x: 1 }))
  t.not(fingerprint('POST', '/a', { x: 1 }), fingerprint('POST', '/b', { x: 1 }))
  t.same(readValue('not json'), { kind: 'pending', fingerprint: '' }, 'an unreadable record is a conflict, never a replay')
  t.same(readValue('{"state":"done","fingerprint":"f"}'), { kind: 'pending', fingerprint: '' })
})

/** The contract both stores keep. */
function contract (name: string, make: (t: Test) => Promise<IdempotencyStore>): void {
  t.test(`${name}: claim, complete, replay, release`, async (t) => {
    const store = await make(t)
    const claim = await store.claim('k1', 'f1', 10000)
    t.equal(claim.kind, 'claimed')
    if (claim.kind !== 'claimed') return
    t.same(await store.claim('k1', 'f1', 10000), { kind: 'pending', fingerprint: 'f1' }, 'a second claim sees it in flight')
    await store.complete('k1', claim.marker, 'f1', response(), 10000)
    t.same(await store.claim('k1', 'f1', 10000), { kind: 'done', fingerprint: 'f1', response: response() })

    const c2 = await store.claim('k2', 'f2', 10000)
    if (c2.kind !== 'claimed') return t.fail('claimed')
    await store.release('k2', 'someone else\'s marker')
    t.equal((await store.claim('k2', 'f2', 10000)).kind, 'pending', 'only the owner releases')
    await store.release('k2', c2.marker)
    t.equal((await store.claim('k2', 'f2', 10000)).kind, 'claimed', 'released: free again')
  })

  t.test(`${name}: a completion after another request took the key over is dropped`, async (t) => {
    const store = await make(t)
    const first = await store.claim('k3', 'f', 50)
    if (first.kind !== 'claimed') return t.fail('claimed')
    await new Promise((resolve) => setTimeout(resolve, 80))
    const second = await store.claim('k3', 'f', 10000)
    t.equal(second.kind, 'claimed', 'the lease ran out')
    await store.complete('k3', first.marker, 'f', response('{"late":true}'), 10000)
    t.equal((await store.claim('k3', 'f', 10000)).kind, 'pending', 'the late completion did not overwrite the new claim')
  })

  t.test(`${name}: of concurrent claims exactly one wins`, async (t) => {
    const store = await make(t)
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim('k4', 'f', 10000)))
    t.equal(claims.filter((c) => c.kind === 'claimed').length, 1)
  })
}

contract('memory', async () => new MemoryIdempotencyStore())

contract('redis', async (t) => {
  const redis = await testRedis(t)
  const client = createRedisClient(redis.url)
  await client.connect()
  t.teardown(() => client.close())
  return new RedisIdempotencyStore(client, redis.prefix)
})

t.test('memory: bounded by entries and bytes, oldest first; expiry by the clock', async (t) => {
  let now = 0
  const store = new MemoryIdempotencyStore({ maxEntries: 3, maxBytes: 10000, now: () => now })
  for (const k of ['a', 'b', 'c', 'd']) await store.claim(k, 'f', 1000)
  t.equal(store.size, 3)
  t.equal((await store.claim('a', 'f', 1000)).kind, 'claimed', 'the oldest was evicted')

  const small = new MemoryIdempotencyStore({ maxBytes: 400, now: () => now })
  const c = await small.claim('big', 'f', 1000)
  if (c.kind !== 'claimed') return t.fail('claimed')
  await small.complete('big', c.marker, 'f', response('x'.repeat(300)), 1000)
  await small.claim('other', 'f', 1000)
  t.equal(small.size, 1, 'over the byte budget: the oldest went')

  now = 2000
  t.equal((await store.claim('d', 'f', 1000)).kind, 'claimed', 'expired records are gone')
  for (const k of ['x', 'y']) await store.claim(k, 'f', 1000)
  t.ok(store.size <= 3)
})

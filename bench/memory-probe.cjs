'use strict'
// Preloaded into the adapter by bench/adapter-memory (node --expose-gc -r): on an IPC message it
// collects garbage and answers with process.memoryUsage(), so heap growth is read after GC.
process.on('message', (msg) => {
  if (msg !== 'memory') return
  global.gc()
  global.gc()
  process.send(process.memoryUsage())
})

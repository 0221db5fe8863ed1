// npm run build: builds the app with the default configuration, as the server does, and writes standalone
// code for every validator and serialiser it compiled to dist/schemas.cjs (src/plugins/precompile.ts). Any
// earlier file is removed first, so that every schema is compiled here from the current sources.
//
//   tsx scripts/precompile.ts [outFile]
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createConfig, PACKAGE_ROOT } from '../src/config.js'

const outFile = resolve(process.argv[2] ?? join(PACKAGE_ROOT, 'dist', 'schemas.cjs'))
rmSync(outFile, { force: true })
// Imported after the earlier file is gone. (A schema the process finds precompiled is still recorded in `seen`,
// and written from its source below.)
const { buildApp } = await import('../src/app.js')
const { schemaCache } = await import('../src/plugins/precompiled.js')
const { writePrecompiled } = await import('../src/plugins/precompile.js')
try {
  const app = await buildApp(createConfig({}), { logger: false })
  await app.ready()
  await app.close()
  writePrecompiled(schemaCache.seen, outFile)
  const count = (kind: string) => [...schemaCache.seen.values()].filter((s) => s.kind === kind).length
  console.log(`schemas compiled: ${count('validator')} validators, ${count('serializer')} serialisers -> ${outFile}`)
} catch (err) {
  console.error(`schemas not compiled: ${(err as Error).message}`)
  process.exit(1)
}

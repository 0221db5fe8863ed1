// npm run build: builds the app with the default configuration, as the server does, and writes standalone
// code for every validator and serialiser it compiled to dist/schemas.cjs (precompile.ts). Any earlier file
// is removed first, so that every schema is compiled here from the current sources.
//
//   node dist/src/plugins/precompile-cli.js [outFile]
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createConfig, PACKAGE_ROOT } from '../config.js'

const outFile = resolve(process.argv[2] ?? join(PACKAGE_ROOT, 'dist', 'schemas.cjs'))
rmSync(join(PACKAGE_ROOT, 'dist', 'schemas.cjs'), { force: true })
const { buildApp } = await import('../app.js')
const { schemaCache } = await import('./precompiled.js')
const { writePrecompiled } = await import('./precompile.js')
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

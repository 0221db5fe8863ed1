// npm run build: models/ parsed, validated and written to dist/models.json (see src/models/compiled.ts). A script
// of its own, not a main-module check inside compiled.ts: the server's bundle (scripts/bundle.ts) holds
// compiled.ts, and there every module's import.meta.url is the bundle's, which is also the process's main module.
//
//   tsx scripts/compile-models.ts [modelsDir] [outFile]
import { join, resolve } from 'node:path'
import { PACKAGE_ROOT } from '../src/config.js'
import { compileModels } from '../src/models/load.js'

const modelsDir = resolve(process.argv[2] ?? join(PACKAGE_ROOT, 'models'))
const outFile = resolve(process.argv[3] ?? join(PACKAGE_ROOT, 'dist', 'models.json'))
try {
  const compiled = compileModels(modelsDir, outFile)
  console.log(`models compiled: ${Object.keys(compiled.files).length} files from ${modelsDir} -> ${outFile}`)
} catch (err) {
  console.error(`models not compiled: ${(err as Error).message}`)
  process.exit(1)
}

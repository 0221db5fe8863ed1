// npx tsx scripts/fit.ts (step 1 of npm run generate) fits the usage coefficients to models/evidence and writes models/fitted/<mesh>.yaml
// ... --check exits 1 if the committed files differ from a fresh fit (test/engine/fit.test.ts does the same)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PACKAGE_ROOT } from '../src/config.js'
import { fitAll } from '../src/engine/jackknife.js'
import { renderFitted } from '../src/models/fitted.js'
import { loadModels } from '../src/models/load.js'

// --models DIR: another models directory (test/models/add-a-mesh.test.ts fits a copy with a toy mesh in it)
const at = process.argv.indexOf('--models')
const modelsDir = at < 0 ? join(PACKAGE_ROOT, 'models') : resolve(process.argv[at + 1] ?? '')
const dir = join(modelsDir, 'fitted')
const models = loadModels(modelsDir)
const fits = fitAll(models.priors.values(), models.evidence.values())
const files = new Map(fits
  .map((f) => [`${f.mesh}.yaml`, renderFitted({ schemaVersion: 1, ...f })]))

const committed = (() => { try { return readdirSync(dir).filter((f) => f.endsWith('.yaml')) } catch { return [] } })()
if (process.argv.includes('--check')) {
  const stale = [...files].filter(([name, text]) => { try { return readFileSync(join(dir, name), 'utf8') !== text } catch { return true } }).map(([n]) => n)
  const extra = committed.filter((name) => !files.has(name))
  for (const name of [...stale, ...extra]) console.error(`models/fitted/${name} is stale: run npm run generate`)
  process.exit(stale.length + extra.length > 0 ? 1 : 0)
}
mkdirSync(dir, { recursive: true })
for (const name of committed) if (!files.has(name)) rmSync(join(dir, name))
for (const [name, text] of files) writeFileSync(join(dir, name), text)
for (const f of fits) {
  const fitted = Object.entries(f.components).map(([id, c]) => `${id} (${Object.keys(c).join(', ')})`)
  console.log(`${f.mesh}: fitted ${fitted.join('; ') || 'nothing'}; no evidence: ${f.noEvidence.length}`)
}
console.log(`wrote ${files.size} files in models/fitted/`)

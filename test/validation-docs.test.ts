// docs/validation.svg and the validation tables in docs/models.md are what the engine gives today. The test runs
// the script's own check, `npx tsx scripts/validation.ts --check` (a step of `npm run generate -- --check`), as a contributor would: no test imports from scripts/.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/config.js'
import { validate } from '../src/engine/validation.js'
import { shippedModels } from './helpers.js'

const models = shippedModels()
const report = validate(models.priors, models.evidence)

t.test('docs/validation.svg and the tables in docs/models.md are current (npm run generate)', async (t) => {
  const run = spawnSync(process.execPath, [...process.execArgv, join(PACKAGE_ROOT, 'scripts', 'validation.ts'), '--check'], { cwd: PACKAGE_ROOT, encoding: 'utf8' })
  t.equal(run.status, 0, run.stderr.trim() || 'exit 0')
})

t.test('docs/models.md shows the picture, which plots every figure, one point each', async (t) => {
  t.match(readFileSync(join(PACKAGE_ROOT, 'docs', 'models.md'), 'utf8'), '](validation.svg)')
  const points = readFileSync(join(PACKAGE_ROOT, 'docs', 'validation.svg'), 'utf8').match(/<circle cx=/g)?.length ?? 0
  const legend = new Set(report.rows.map((r) => r.mesh)).size + 1
  t.equal(points, report.rows.length + legend)
})

// docs/validation.svg and the validation tables in docs/models.md are what the engine gives today
// (npm run validation regenerates them).
import { readFileSync } from 'node:fs'
import t from 'tap'
import { DOC_FILE, renderDoc, SVG_FILE, validationBlock, validationSvg } from '../scripts/validation.js'
import { validate } from '../src/engine/validation.js'
import { shippedModels } from './helpers.js'

const models = shippedModels()
const report = validate(models.priors, models.evidence)

t.test('docs/validation.svg is current', async (t) => {
  t.equal(readFileSync(SVG_FILE, 'utf8'), validationSvg(report))
})

t.test('docs/models.md shows the current leave-one-source-out tables and the picture', async (t) => {
  const doc = readFileSync(DOC_FILE, 'utf8')
  t.equal(renderDoc(doc, validationBlock(report)), doc)
  t.match(doc, '](validation.svg)')
})

t.test('the picture plots every figure, one point each', async (t) => {
  const points = validationSvg(report).match(/<circle cx=/g)?.length ?? 0
  const legend = new Set(report.rows.map((r) => r.mesh)).size + 1
  t.equal(points, report.rows.length + legend)
})

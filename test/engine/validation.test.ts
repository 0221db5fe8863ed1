// Leave-one-source-out on the toy evidence (test/fixtures/models/evidence): every row worked out by hand.
// The fits without each source are derived in the comments from the method in src/engine/fit.ts.
import t from 'tap'
import { logIntervalScore, validate } from '../../src/engine/validation.js'
import { fixtureModels, near } from '../helpers.js'

const models = fixtureModels()
const report = validate(models.priors, models.evidence)
const row = (record: string, resource: 'cpu' | 'memory') => {
  const r = report.rows.find((x) => x.record === record && x.resource === resource)
  if (r === undefined) throw new Error(`no row ${record}/${resource}`)
  return r
}

// The range of each row is nested: with source S left out, each other source is left out in turn (a fit on the
// third alone) and those errors, not S's, make the interval (src/engine/jackknife.ts). With two sources left there
// are fewer than three, so the engine has no interval of its own, and no other engine has one to lend: the range is
// the point prediction itself. No source measured near idle, so every fit keeps the model file's idle base, 10m.

t.test('without lab-a: lab-b gives the slope; two sources are too few for an interval', async (t) => {
  // Point: fit on lab-b and lab-c: slope 0.3 (lab-b: (0.13 - 0.07) / 0.2; lab-c's max sets nothing beside typical
  // figures); base 0.01. At 100 rps: 0.01 + 0.03 = 0.04; measured 0.03: factor 0.75, within 2x, not inside [0.04, 0.04].
  const r = row('proxy-100rps', 'cpu')
  t.same(r.predicted, { low: 0.04, expected: 0.04, high: 0.04 })
  t.equal(r.factor, 0.75)
  t.match(r, { source: 'lab-a', engine: 'alpha-proxy', within2x: true, insideRange: false, predictedBy: 'fit' })
  // Memory: 52 (lab-b's median); measured 40: factor 0.7692.
  t.match(row('proxy-100rps', 'memory'), { factor: 0.7692, within2x: true, insideRange: false, predicted: { low: 52, expected: 52, high: 52 } })
})

t.test('without lab-b: predicted from lab-a', async (t) => {
  // Slope 0.2, base 0.01. At 400 rps: 0.01 + 0.08 = 0.09; measured 0.13 (a median): factor 1.444.
  t.match(row('proxy-400rps', 'cpu'), { factor: 1.444, within2x: true, predicted: { expected: 0.09 } })
})

t.test('a max is judged against the expected value like any figure', async (t) => {
  // Without lab-c: slope 0.25, base 0.01 (as in test/engine/fit.test.ts). At 200 rps: 0.06; measured max 0.2: 3.333.
  t.match(row('proxy-largest', 'cpu'), { factor: 3.333, within2x: false, insideRange: false })
})

t.test('the interval score: width in doublings, and 20 × the doublings outside', async (t) => {
  t.equal(logIntervalScore(1, 4, 2), 2, 'inside: the width, log2(4 ÷ 1)')
  t.ok(near(logIntervalScore(1, 4, 16), 42), 'two doublings above: 2 + 20 × 2')
  t.ok(near(logIntervalScore(1, 4, 0.5), 22), 'one doubling below: 2 + 20 × 1')
})

t.test('a figure no other source measured is predicted by the model file and left out of the tallies', async (t) => {
  // control memory: only lab-c. The model file says 512 MiB expected: 600 / 512 = 1.172.
  t.match(row('control-plane', 'memory'), { predictedBy: 'prior', factor: 1.172 })
  // 10 figures by fit: lab-a 4 and lab-b 4, all within 2x (CPU 0.75, 0.7, 1.4, 1.444; memory 40/52, 44/52, 50/42,
  // 54/42); lab-c 2 (CPU 3.333; memory max 100 / 47 = 2.128), neither. No range has width: none inside.
  t.match(report.summary, { figures: 10, within2x: 8, insideRange: 0, shareWithin2x: 0.8, shareInsideRange: 0, sources: 3, priorOnly: 1, medianWidth: 1, maxWidth: 1 })
  // The mean interval score: 20 × |log2(factor)| each, over the ten rows.
  const expected = [0.75, 0.7, 1.4, 1.4444, 3.3333, 40 / 52, 44 / 52, 50 / 42, 54 / 42, 100 / 47].reduce((sum, f) => sum + 20 * Math.abs(Math.log2(f)), 0) / 10
  t.ok(near(report.summary.intervalScore ?? 0, expected, 0.01), `${report.summary.intervalScore} ≈ ${expected}`)
  t.same(report.interval, { coverage: 0.9, minSources: 3 })
  t.match(report.components.find((c) => c.component === 'control'), { figures: 0, priorOnly: 1, shareWithin2x: null })
  t.match(report.components.find((c) => c.component === 'proxy' && c.resource === 'cpu'), { figures: 5, within2x: 4 })
  t.match(report.engines.find((e) => e.engine === 'alpha-proxy' && e.resource === 'cpu'), { figures: 5, within2x: 4, insideRange: 0 })
})

t.test('nested: a source\'s own figures never shape the prediction it is checked against', async (t) => {
  // Multiply lab-a's figures by 100. Its rows must not move at all: the point fit is made without lab-a, and so is
  // every fit behind its interval.
  const labA = models.evidence.get('lab-a')
  if (labA === undefined) throw new Error('no lab-a')
  const louder = { ...labA, records: labA.records.map((r) => ({ ...r, cpuCores: (r.cpuCores ?? 0) * 100, memoryMiB: (r.memoryMiB ?? 0) * 100 })) }
  const altered = validate(models.priors, new Map([...models.evidence, ['lab-a', louder]]))
  for (const record of ['proxy-100rps', 'proxy-300rps']) {
    for (const resource of ['cpu', 'memory'] as const) {
      const before = row(record, resource)
      const after = altered.rows.find((x) => x.record === record && x.resource === resource)
      t.same(after?.predicted, before.predicted, `${record} ${resource}: the same prediction and interval`)
      t.equal(after?.insideRange, false, 'now far above it')
    }
  }
  // The other sources' predictions do see lab-a's new figures (a positive control: the alteration matters).
  const b = altered.rows.find((x) => x.record === 'proxy-200rps' && x.resource === 'cpu')
  t.not(b?.predicted.high, row('proxy-200rps', 'cpu').predicted.high)
})

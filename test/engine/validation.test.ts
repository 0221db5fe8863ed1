// Leave-one-source-out on the toy evidence (test/fixtures/models/evidence): every row worked out by hand.
// The fits without each source are derived in the comments from the method in src/engine/fit.ts.
import t from 'tap'
import { validate } from '../../src/engine/validation.js'
import { fixtureModels, near } from '../helpers.js'

const models = fixtureModels()
const report = validate(models.priors, models.evidence)
const row = (record: string, resource: 'cpu' | 'memory') => {
  const r = report.rows.find((x) => x.record === record && x.resource === resource)
  if (r === undefined) throw new Error(`no row ${record}/${resource}`)
  return r
}

// The range of each row is nested: with source S left out, each other source is left out in turn (a fit on the
// third alone) and those errors, not S's, make the interval (src/engine/jackknife.ts). With two sources left
// there are fewer than three, so the pool is every component's ratios of the resource, as they are.
// Fits on one source alone: lab-c alone has only a max, so no slope: the model file's 0.2 per 1,000 rps stays and
// its base is 0.2 - 0.2 × 0.2 = 0.16; memory 100. lab-b alone: slope 0.3, base 0.01, memory 52. lab-a alone:
// slope 0.2, base 0.01, memory 42.

t.test('without lab-a: lab-b alone gives the slope; the interval from lab-b\'s and lab-c\'s errors', async (t) => {
  // Point: fit on lab-b and lab-c: slope 0.3 (lab-b: (0.13 - 0.07) / 0.2); base 0.01 (lab-b's residuals,
  // 0.07 - 0.06 and 0.13 - 0.12). At 100 rps: 0.01 + 0.03 = 0.04; measured 0.03: factor 0.75, within 2x.
  // Interval: lab-b by lab-c alone: 0.07 / (0.16 + 0.04) = 0.35, 0.13 / (0.16 + 0.08) = 0.5417; lab-c by lab-b alone:
  // 0.2 / (0.01 + 0.06) = 2.857. [0.35, 0.5417, 2.857]: 5th 0.35 + 0.1 × 0.1917 = 0.3692; 95th 0.5417 + 0.9 × 2.3155
  // = 2.6256. Range [0.01477, 0.105]: inside.
  const r = row('proxy-100rps', 'cpu')
  t.ok(near(r.predicted.expected, 0.04) && near(r.predicted.low, 0.01477) && near(r.predicted.high, 0.105), JSON.stringify(r.predicted))
  t.equal(r.factor, 0.75)
  t.match(r, { source: 'lab-a', within2x: true, insideRange: true, predictedBy: 'fit' })
  // Memory: 52 (lab-b's median); errors 50 / 100, 54 / 100, 100 / 52: [0.5, 0.54, 1.9231]: 5th 0.504,
  // 95th 0.54 + 0.9 × 1.3831 = 1.7848: [26.21, 92.81]; measured 40: factor 0.7692, inside.
  t.match(row('proxy-100rps', 'memory'), { factor: 0.7692, within2x: true, insideRange: true, predicted: { low: 26.21, expected: 52, high: 92.81 } })
})

t.test('without lab-b: predicted from lab-a, inside the range', async (t) => {
  // Slope 0.2, base 0.01. At 400 rps: 0.01 + 0.08 = 0.09; measured 0.13 (a median): factor 1.444.
  // Interval: lab-a by lab-c alone: 0.03 / 0.18 = 0.1667, 0.07 / 0.22 = 0.3182; lab-c by lab-a alone: 0.2 / 0.05 = 4.
  // 5th 0.1667 + 0.1 × 0.1515 = 0.1818; 95th 0.3182 + 0.9 × 3.6818 = 3.6318: [0.01636, 0.3269]: inside.
  t.match(row('proxy-400rps', 'cpu'), { factor: 1.444, within2x: true, insideRange: true, predicted: { low: 0.01636, expected: 0.09, high: 0.3269 } })
})

t.test('a max is judged by the range; its factor is against the expected value like any figure', async (t) => {
  // Without lab-c: slope 0.25, base 0.0125 (as in test/engine/fit.test.ts). At 200 rps: 0.0625; measured max 0.2:
  // factor 3.2. Interval from lab-a's and lab-b's errors: [0.7, 0.75, 1.4, 1.4444]: 5th 0.7 + 0.15 × 0.05 = 0.7075;
  // 95th 1.4 + 0.85 × 0.0444 = 1.4378. High 0.0625 × 1.4378 = 0.08986: the max is outside.
  const r = row('proxy-largest', 'cpu')
  t.match(r, { factor: 3.2, within2x: false, insideRange: false })
  t.ok(near(r.predicted.high, 0.08986, 1e-5), String(r.predicted.high))
})

t.test('a figure no other source measured is predicted by the model file and left out of the tallies', async (t) => {
  // control memory: only lab-c. The model file says 512 MiB expected: 600 / 512 = 1.172.
  t.match(row('control-plane', 'memory'), { predictedBy: 'prior', factor: 1.172 })
  // 10 figures by fit: lab-a 4 and lab-b 4, all within 2x and inside; lab-c 2 (CPU 3.2; memory max 100 / 47 = 2.128,
  // high 47 × 1.2714 = 59.76), neither. Within 2x 8 of 10, inside 8.
  t.match(report.summary, { figures: 10, within2x: 8, insideRange: 8, shareWithin2x: 0.8, shareInsideRange: 0.8, sources: 3, priorOnly: 1 })
  t.same(report.interval, { coverage: 0.9, minSources: 3 })
  t.match(report.components.find((c) => c.component === 'control'), { figures: 0, priorOnly: 1, shareWithin2x: null })
  t.match(report.components.find((c) => c.component === 'proxy' && c.resource === 'cpu'), { figures: 5, within2x: 4, insideRange: 4 })
})

t.test('nested: a source\'s own figures never shape the interval it is checked against', async (t) => {
  // Multiply lab-a's figures by 100. Its rows must not move at all: the point fit is made without lab-a, and so is
  // every fit behind its interval. A check that built the interval from all sources' leave-one-out errors (lab-a's
  // 75 and 70 among them) would move lab-a's high bound.
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
  // The other sources' intervals do see lab-a's new errors (a positive control: the alteration matters).
  const b = altered.rows.find((x) => x.record === 'proxy-200rps' && x.resource === 'cpu')
  t.not(b?.predicted.high, row('proxy-200rps', 'cpu').predicted.high)
})

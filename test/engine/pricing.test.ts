// Pricing models on the fixture's round numbers: lab/4x16 in r1 costs 0.2 on demand, 0.06 on Spot and 0.12 under
// a 1-year commitment per hour; the fixture's default book charges 0.04 per vCPU-hour and 0.005 per GiB-hour, and the
// lab provider's OpenCost split is 0.03 : 0.006.
import t from 'tap'
import { resolveScenario } from '../../src/engine/scenario.js'
import { fixtureModels, near } from '../helpers.js'

const scenario = (pricing: object, cluster: object = { nodeType: 'lab/4x16', region: 'r1' }) => resolveScenario({ pods: 10, cluster, pricing }, fixtureModels())

t.test('each model takes its own node price; unit prices follow it by OpenCost\'s split', async (t) => {
  // The split keeps the lab provider's CPU:RAM ratio (fixture priceSplit 0.03 per vCPU-hour, 0.006 per GiB-hour, not
  // the book's 0.04 : 0.005) over 4 vCPU and 16 x 1 = 16 GiB as the kubelet reports it (capacityFraction 1):
  // 4 x 0.03 + 16 x 0.006 = 0.12 + 0.096 = 0.216, so k = price / 0.216
  // (onDemand: 0.03 x 0.2 / 0.216 = 0.0277778 per vCPU-hour; Spot: 0.03 x 0.06 / 0.216 = 0.00833333)
  for (const [model, hourly] of [['onDemand', 0.2], ['spot', 0.06], ['commitment1Year', 0.12]] as const) {
    const s = scenario({ model })
    t.equal(s.node.hourlyPrice, hourly, `${model}: node`)
    t.ok(near(s.prices.cpuCoreHour, 0.03 * hourly / 0.216, 1e-10) && near(s.prices.memoryGiBHour, 0.006 * hourly / 0.216, 1e-10), `${model}: units (published to 10 significant digits)`)
    t.match(s.prices, { model, asOf: '2026-01-01', node: { hourly, onDemandHourly: 0.2 } })
  }
})

t.test('a pricing model the node catalog does not price needs a discount; the discount is off the on-demand price', async (t) => {
  t.throws(() => scenario({ model: 'commitment3Year' }), /\/pricing\/model: .*priced models there: onDemand, spot, commitment1Year/)
  const s = scenario({ model: 'commitment3Year', discountPercent: 40 }) // 0.2 x 0.6 = 0.12
  t.ok(near(s.node.hourlyPrice ?? 0, 0.12, 1e-12))
  t.equal(s.prices.discountPercent, 40)
  t.ok(near(scenario({ model: 'spot', discountPercent: 50 }).node.hourlyPrice ?? 0, 0.1, 1e-12), 'the user\'s discount replaces the node catalog\'s Spot price')
})

t.test('books: on-demand rates, a discount off them, or a 422 for a model they lack', async (t) => {
  t.match(scenario({ book: 'lab-book' }).prices, { source: 'lab-book', cpuCoreHour: 0.04, memoryGiBHour: 0.005, asOf: '2026-01-01' })
  t.ok(near(scenario({ book: 'lab-book', discountPercent: 25 }).prices.cpuCoreHour, 0.03, 1e-12))
  t.throws(() => scenario({ book: 'lab-book', model: 'spot' }), /\/pricing\/discountPercent: .*"lab-book" has no Spot prices/)
  t.throws(() => scenario({ cpuCoreHour: 0.1, memoryGiBHour: 0.01, discountPercent: 10 }), /\/pricing\/discountPercent: .*inline prices are already yours/)
})

t.test('a custom node\'s price is its price under the model, less any discount', async (t) => {
  const s = scenario({ model: 'spot', discountPercent: 10 }, { node: { vcpu: 4, memoryGiB: 16, maxPods: 10, hourlyPrice: 0.5 } })
  t.ok(near(s.node.hourlyPrice ?? 0, 0.45, 1e-12))
  t.equal(s.prices.node, undefined, 'no node catalog price')
})

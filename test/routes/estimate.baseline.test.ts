// Baseline deltas through POST /estimate: the baseline mesh is estimated even when not listed (the arithmetic is in test/engine/delta.test.ts).
import t from 'tap'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { testApp } from '../helpers.js'

t.test('POST /estimate with baseline: delta before, after, change', async (t) => {
  const app = await testApp(t)
  const none = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, baseline: 'none' } })).json<EstimateResponse>()
  for (const e of none.estimates) {
    t.equal(e.delta?.before.monthlyCost, 0)
    t.equal(e.delta?.change.monthlyCost, e.cost.monthly.expected)
    t.equal(e.delta?.change.nodes, e.capacity.additionalNodes)
  }
  const res = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, meshes: ['linkerd'], baseline: 'istio' } })).json<EstimateResponse>()
  const [linkerd] = res.estimates
  const istio = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, meshes: ['istio'] } })).json<EstimateResponse>().estimates[0]
  t.equal(linkerd?.delta?.before.monthlyCost, istio?.cost.monthly.expected, 'the baseline is estimated even when not listed')
  t.equal(linkerd?.delta?.change.monthlyCost, Math.round(((linkerd?.cost.monthly.expected ?? 0) - (istio?.cost.monthly.expected ?? 0)) * 100) / 100)
  t.ok((linkerd?.delta?.change.monthlyCost ?? 0) < 0, 'Linkerd costs less than Istio')
  const plain = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })).json<EstimateResponse>()
  t.ok(plain.estimates.every((e) => e.delta === undefined), 'no baseline, no delta')
})

// POST /estimate/batch?view=summary over a real socket: each estimate cut to its figures.
import t from 'tap'
import { request } from 'undici'
import type { EstimateResponse, EstimateSummaryResponse } from '../../src/schemas/estimate.js'
import type { BatchResponse } from '../../src/schemas/integration.js'
import { testApp } from '../helpers.js'

t.test('view=summary answers each scenario as POST /estimate?view=summary does; bad scenarios stay problems', async (t) => {
  const app = await testApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const scenarios = [{ pods: 100 }, { pods: -1 }, { pods: 1000, meshes: ['istio', 'linkerd'], baseline: 'linkerd' }]
  const call = async (query: string): Promise<BatchResponse> => {
    const res = await request(`${base}/estimate/batch${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios }) })
    t.equal(res.statusCode, 200)
    return await res.body.json() as BatchResponse
  }
  const lean = await call('?view=summary')
  const full = await call('')
  t.same(lean.results.map((r) => r.status), [200, 400, 200])
  const problem = (r: BatchResponse) => { const { requestId: _id, ...rest } = r.results[1]?.problem ?? {}; return rest }
  t.same(problem(lean), problem(full), 'the problem is the same in either view (but for the request id)')
  for (const i of [0, 2]) {
    const summary = lean.results[i]?.estimate as EstimateSummaryResponse
    const whole = full.results[i]?.estimate as EstimateResponse
    t.equal(summary.view, 'summary')
    t.same(summary.estimates.map((e) => [e.mesh, e.totals, e.cost, e.delta]), whole.estimates.map((e) => [e.mesh, e.totals, e.cost, e.delta]))
    const single = await request(`${base}/estimate?view=summary`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenarios[i]) })
    t.same(summary, await single.body.json(), `scenario ${i}: as POST /estimate?view=summary answers it`)
  }
  const bad = await request(`${base}/estimate/batch?view=everything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios }) })
  t.equal(bad.statusCode, 400)
  t.match(await bad.body.text(), /view/)
})

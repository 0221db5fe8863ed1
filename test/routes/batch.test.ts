// POST /estimate/batch: many scenarios, each answered on its own, in order.
import t from 'tap'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { request } from 'undici'
import { BATCH_LIMITS, type BatchResponse } from '../../src/schemas/integration.js'
import { testApp } from '../helpers.js'

t.test('results in order; a bad scenario gets its own problem and does not sink the rest', async (t) => {
  const app = await testApp(t)
  const scenarios = [
    { pods: 100 },
    { pods: -1 },
    { pods: 1000, meshes: ['istio', 'linkerd'], basis: 'requests' },
    { pods: 1, meshes: ['nope'] },
    { pods: 10, colour: 'blue', cluster: { nodes: 0 } },
    'not an object',
    { pods: 1, workload: { podRequests: { cpuCores: 64, memoryGiB: 1 } } }
  ]
  const res = await app.inject({ method: 'POST', url: '/estimate/batch', payload: { scenarios } })
  t.equal(res.statusCode, 200)
  const { results } = res.json<BatchResponse>()
  t.same(results.map((r) => r.status), [200, 400, 200, 422, 400, 400, 422])
  for (const [i, r] of results.entries()) {
    t.ok((r.estimate === undefined) !== (r.problem === undefined), `${i}: exactly one of estimate and problem`)
    if (r.problem) t.match(r.problem, { status: r.status, type: /^https:\/\/meshcost\.dev\/problems\//, title: String, detail: new RegExp(`^Scenario ${i}:`), instance: '/estimate/batch' })
  }
  const pointers = (i: number) => results[i]?.problem?.errors?.map((e) => e.pointer) ?? []
  t.same(pointers(1), ['/scenarios/1/pods'])
  t.same(pointers(3), ['/scenarios/3/meshes/0'])
  t.same(pointers(4).sort(), ['/scenarios/4/cluster/nodes', '/scenarios/4/colour'])
  t.same(pointers(5), ['/scenarios/5'])
  t.same(pointers(6), ['/scenarios/6/workload/podRequests'])
  // Each estimate is what POST /estimate answers.
  for (const i of [0, 2]) {
    const one = await app.inject({ method: 'POST', url: '/estimate', payload: scenarios[i] as object })
    t.same(results[i]?.estimate, one.json(), `scenario ${i}: same as POST /estimate`)
  }
  t.notMatch(res.body, /NaN|Infinity/)
})

t.test('limits: 400 problems naming the field', async (t) => {
  const app = await testApp(t)
  const cases: Array<[string, unknown, number, string?]> = [
    ['no scenarios', { scenarios: [] }, 400, '/scenarios'],
    ['too many scenarios', { scenarios: Array.from({ length: BATCH_LIMITS.scenarios + 1 }, () => ({ pods: 1 })) }, 400, '/scenarios'],
    ['scenarios not a list', { scenarios: { pods: 1 } }, 400, '/scenarios'],
    ['missing scenarios', {}, 400, '/scenarios'],
    ['unknown field', { scenarios: [{ pods: 1 }], parallel: true }, 400, '/parallel']
  ]
  for (const [name, body, status, pointer] of cases) {
    const res = await app.inject({ method: 'POST', url: '/estimate/batch', payload: body as object })
    t.equal(res.statusCode, status, name)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    if (pointer) t.ok(res.json().errors?.some((e: { pointer: string }) => e.pointer === pointer), `${name}: names ${pointer} (${res.body.slice(0, 300)})`)
  }
  const big = await app.inject({ method: 'POST', url: '/estimate/batch', payload: { scenarios: Array.from({ length: 100 }, () => ({ pods: 1, meshes: ['istio'], pricing: { currency: 'EUR', cpuCoreHour: 0.03, memoryGiBHour: 0.004 }, pad: 'x'.repeat(700) })) } })
  t.equal(big.statusCode, 413, 'a body over the 64 KiB limit is a 413')
  t.match(big.headers['content-type'], /^application\/problem\+json/)
})

t.test('the largest batch over a real socket', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const scenarios = Array.from({ length: BATCH_LIMITS.scenarios }, (_, i) => ({ pods: 10 * (i + 1), meshes: ['linkerd'] }))
  const res = await request(`${address}/estimate/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarios }) })
  t.equal(res.statusCode, 200)
  const { results } = await res.body.json() as BatchResponse
  t.equal(results.length, BATCH_LIMITS.scenarios)
  t.same(results.map((r) => (r.estimate as EstimateResponse | undefined)?.estimates[0]?.components.find((c) => c.scope === 'perPod')?.replicas), scenarios.map((s) => s.pods), 'in order')
})

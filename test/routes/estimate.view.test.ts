// POST and GET /estimate over a real socket: the answers keep to the documented schema (the routes serialise
// with JSON.stringify, not through it), view=summary, and ETag/304 on GET.
import t from 'tap'
import { Compile } from 'typebox/compile'
import { request } from 'undici'
import { EstimateResponse, EstimateSummaryResponse } from '../../src/schemas/estimate.js'
import { testApp } from '../helpers.js'

async function listening (t: Parameters<typeof testApp>[0]): Promise<string> {
  const app = await testApp(t)
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

const post = async (base: string, body: unknown, query = ''): Promise<{ status: number, headers: Record<string, unknown>, text: string }> => {
  const res = await request(`${base}/estimate${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}

t.test('full answers keep to the EstimateResponse schema, for every kind of scenario', async (t) => {
  const base = await listening(t)
  const check = Compile(EstimateResponse)
  const scenarios = [
    { pods: 1 },
    { pods: 100 },
    { pods: 5000, basis: 'usage', traffic: { requestsPerSecondPerPod: 400, distribution: 'skewed', hopsPerRequest: 3 } },
    { pods: 300, baseline: 'none', options: { highAvailability: true, observability: true, sidecarScoping: true } },
    { pods: 300, baseline: 'istio', meshes: ['linkerd'], cluster: { cni: 'cilium', nodes: 40 } },
    { pods: 50, cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 110 } } }
  ]
  for (const scenario of scenarios) {
    const res = await post(base, scenario)
    t.equal(res.status, 200, JSON.stringify(scenario))
    t.match(res.headers['content-type'], /^application\/json/)
    const body = JSON.parse(res.text) as unknown
    const errors = [...check.Errors(body)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`)
    t.same(errors, [], `${JSON.stringify(scenario)} matches the schema`)
  }
})

t.test('view=summary: per mesh the totals, capacity and cost of the full answer, in a few KB', async (t) => {
  const base = await listening(t)
  const check = Compile(EstimateSummaryResponse)
  const scenario = { pods: 400, baseline: 'none', cluster: { nodes: 2 } }
  const full = JSON.parse((await post(base, scenario)).text) as EstimateResponse
  const res = await post(base, scenario, '?view=summary')
  t.equal(res.status, 200)
  const lean = JSON.parse(res.text) as EstimateSummaryResponse
  t.same([...check.Errors(lean)].map((e) => `${e.instancePath} ${e.message}`), [], 'matches EstimateSummaryResponse')
  t.equal(lean.view, 'summary')
  t.equal(lean.basis, full.assumptions.basis)
  t.same(lean.estimates.map((e) => e.mesh), full.estimates.map((e) => e.mesh), 'every mesh, in order')
  for (const [i, e] of lean.estimates.entries()) {
    const f = full.estimates[i] as EstimateResponse['estimates'][number]
    t.same({ totals: e.totals, capacity: e.capacity, cost: e.cost, delta: e.delta }, { totals: f.totals, capacity: f.capacity, cost: f.cost, delta: f.delta }, `${e.mesh}: the same figures`)
    t.notOk('components' in e || 'sources' in e || 'latency' in e, `${e.mesh}: no components, sources or latency`)
  }
  t.ok(lean.notes.some((n) => n.includes('cluster.nodes is 2')), 'the scenario\'s own warning is kept')
  t.notOk(lean.notes.some((n) => n.startsWith('Capacity packs')), 'the general rules are left to view=full')
  const fullBytes = Buffer.byteLength(JSON.stringify(full))
  t.ok(res.text.length < 8 * 1024 && res.text.length * 5 < fullBytes, `${res.text.length} bytes against ${fullBytes} for view=full`)

  const viaGet = await request(`${base}/estimate?pods=400&baseline=none&nodes=2&view=summary`)
  t.equal(viaGet.statusCode, 200)
  t.same(await viaGet.body.json(), lean, 'GET /estimate?view=summary answers the same')
  t.same(JSON.parse((await post(base, scenario, '?view=full')).text), full, 'view=full is the default')
})

t.test('view: bad values and CSV are 400 problems naming the parameter', async (t) => {
  const base = await listening(t)
  for (const query of ['?view=brief', '?view=summary&format=csv']) {
    const res = await post(base, { pods: 10 }, query)
    t.equal(res.status, 400, query)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.text, /view/, `${query}: names view`)
  }
  const get = await request(`${base}/estimate?pods=10&view=summary`, { headers: { accept: 'text/csv' } })
  t.equal(get.statusCode, 400, 'Accept: text/csv with view=summary too')
  await get.body.dump()
})

// POST and GET /estimate over a real socket: the answers keep to the documented schema (the routes serialise
// with JSON.stringify, not through it), view=summary, and ETag/304 on GET.
import t from 'tap'
import { Compile } from 'typebox/compile'
import { request } from 'undici'
import { EstimateResponse } from '../../src/schemas/estimate.js'
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

// POST /estimate/batch?format=ndjson over a real socket: one line per scenario, in order, as the JSON answer has them.
import t from 'tap'
import { request } from 'undici'
import type { BatchResponse } from '../../src/schemas/integration.js'
import { testApp } from '../helpers.js'

t.test('format=ndjson (or Accept: application/x-ndjson): one line per scenario, the results of the JSON answer with their index', async (t) => {
  const app = await testApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const scenarios = [{ pods: 100, meshes: ['linkerd'] }, { pods: -1 }, { pods: 1000, meshes: ['istio', 'linkerd'], baseline: 'linkerd' }]
  const post = async (query: string, headers: Record<string, string> = {}) =>
    await request(`${base}/estimate/batch${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ scenarios }) })
  const json = await (await post('?view=summary')).body.json() as BatchResponse
  for (const [query, headers] of [['?format=ndjson&view=summary', {}], ['?view=summary', { accept: 'application/x-ndjson' }]] as const) {
    const res = await post(query, headers)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/x-ndjson/)
    const text = await res.body.text()
    t.ok(text.endsWith('\n'), 'every line ends with a newline')
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { index: number, status: number, problem?: { requestId?: string } })
    t.same(lines.map((l) => l.index), [0, 1, 2], 'in order, numbered')
    t.same(lines.map((l) => l.status), [200, 400, 200])
    // The same results as the JSON answer (problem documents but for their request ids).
    const strip = (r: { problem?: { requestId?: string } }) => ({ ...r, ...(r.problem ? { problem: { ...r.problem, requestId: '' } } : {}) })
    t.same(lines.map(({ index: _i, ...r }) => strip(r)), json.results.map(strip))
  }
  const bad = await post('?format=csv')
  t.equal(bad.statusCode, 400, 'CSV is not a batch format')
  t.match(await bad.body.text(), /format/)
})

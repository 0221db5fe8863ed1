// Every client mistake gets a 4xx problem document naming the field and the rule; the service keeps serving.
import t from 'tap'
import { request } from 'undici'
import { shippedModels, testApp } from '../helpers.js'

interface Case {
  name: string
  status: number
  body?: string
  contentType?: string
  method?: 'GET' | 'POST'
  url?: string
  pointer?: string
  detail?: RegExp
}

const json = (value: unknown): string => JSON.stringify(value)

const cases: Case[] = [
  { name: 'missing pods', body: json({}), status: 400, pointer: '/pods', detail: /required/ },
  { name: 'pods as a string', body: json({ pods: '100' }), status: 400, pointer: '/pods', detail: /integer/ },
  { name: 'negative pods', body: json({ pods: -1 }), status: 400, pointer: '/pods', detail: />= 1/ },
  { name: 'fractional pods', body: json({ pods: 1.5 }), status: 400, pointer: '/pods', detail: /integer/ },
  { name: 'absurd pods', body: json({ pods: 1e9 }), status: 400, pointer: '/pods', detail: /<= 1000000/ },
  { name: 'a number too large for a double', body: '{"pods": 1e400}', status: 400, pointer: '/pods' },
  { name: 'unknown top-level field', body: json({ pods: 1, colour: 'blue' }), status: 400, pointer: '/colour', detail: /not a known field/ },
  { name: 'unknown nested field', body: json({ pods: 1, cluster: { nodez: 3 } }), status: 400, pointer: '/cluster/nodez', detail: /not a known field/ },
  { name: 'unknown mesh', body: json({ pods: 1, meshes: ['istio', 'nope'] }), status: 422, pointer: '/meshes/1', detail: /unknown mesh "nope"/ },
  { name: 'empty mesh list', body: json({ pods: 1, meshes: [] }), status: 400, pointer: '/meshes' },
  { name: 'repeated mesh', body: json({ pods: 1, meshes: ['istio', 'istio'] }), status: 400, pointer: '/meshes', detail: /duplicate/ },
  { name: 'malformed mesh id', body: json({ pods: 1, meshes: ['Istio!'] }), status: 400, pointer: '/meshes/0', detail: /pattern/ },
  { name: 'unknown basis', body: json({ pods: 1, basis: 'average' }), status: 400, pointer: '/basis', detail: /one of: "requests", "usage", "max"/ },
  { name: 'unknown CNI', body: json({ pods: 1, cluster: { cni: 'weave-net' } }), status: 400, pointer: '/cluster/cni', detail: /one of/ },
  { name: 'negative traffic', body: json({ pods: 1, traffic: { requestsPerSecondPerPod: -5 } }), status: 400, pointer: '/traffic/requestsPerSecondPerPod' },
  { name: 'zero nodes', body: json({ pods: 1, cluster: { nodes: 0 } }), status: 400, pointer: '/cluster/nodes' },
  { name: 'HA as a string', body: json({ pods: 1, options: { highAvailability: 'yes' } }), status: 400, pointer: '/options/highAvailability', detail: /boolean/ },
  { name: 'unknown node type', body: json({ pods: 1, cluster: { nodeType: 'aws/m99.galactic' } }), status: 422, pointer: '/cluster/nodeType', detail: /unknown node type/ },
  { name: 'region without a price', body: json({ pods: 1, cluster: { nodeType: 'aws/m5.large', region: 'mars-north-1' } }), status: 422, pointer: '/cluster/region', detail: /no price/ },
  { name: 'custom node with zero memory', body: json({ pods: 1, cluster: { node: { vcpu: 4, memoryGiB: 0, maxPods: 110 } } }), status: 400, pointer: '/cluster/node/memoryGiB', detail: /> 0/ },
  { name: 'custom node and node type together', body: json({ pods: 1, cluster: { nodeType: 'aws/m5.large', node: { vcpu: 4, memoryGiB: 16, maxPods: 110 } } }), status: 422, pointer: '/cluster/node' },
  { name: 'pod larger than the node', body: json({ pods: 1, workload: { podRequests: { cpuCores: 64, memoryGiB: 1 } } }), status: 422, pointer: '/workload/podRequests' },
  { name: 'half of the inline prices', body: json({ pods: 1, pricing: { cpuCoreHour: 0.03 } }), status: 422, pointer: '/pricing/memoryGiBHour' },
  { name: 'unknown price book', body: json({ pods: 1, pricing: { book: 'nope' } }), status: 422, pointer: '/pricing/book' },
  { name: 'lower-case currency', body: json({ pods: 1, pricing: { currency: 'eur', cpuCoreHour: 1, memoryGiBHour: 1 } }), status: 400, pointer: '/pricing/currency' },
  { name: 'zero price', body: json({ pods: 1, pricing: { cpuCoreHour: 0, memoryGiBHour: 0.1 } }), status: 400, pointer: '/pricing/cpuCoreHour' },
  { name: 'body is an array', body: json([{ pods: 1 }]), status: 400, pointer: '/', detail: /object/ },
  { name: 'body is null', body: 'null', status: 400 },
  { name: 'malformed JSON', body: '{"pods": ', status: 400, detail: /JSON/ },
  { name: 'empty JSON body', body: '', status: 400 },
  { name: '__proto__ key', body: '{"pods": 1, "__proto__": {"polluted": true}}', status: 400 },
  { name: 'constructor.prototype key', body: '{"pods": 1, "constructor": {"prototype": {"polluted": true}}}', status: 400 },
  { name: 'wrong content type', body: 'pods=100', contentType: 'text/plain', status: 415 },
  { name: 'form content type', body: 'pods=100', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'oversized body', body: json({ pods: 1, meshes: ['istio'], pad: 'x'.repeat(70 * 1024) }), status: 413 },
  { name: 'unknown mesh page', method: 'GET', url: '/meshes/nope', status: 404 },
  { name: 'malformed mesh id in the path', method: 'GET', url: '/meshes/NOT_A_MESH!', status: 400, pointer: '/id' },
  { name: 'unknown route', method: 'GET', url: '/estimates', status: 404 },
  { name: 'wrong method', method: 'GET', url: '/estimate/batch', status: 404 },
  { name: 'GET /estimate without pods', method: 'GET', url: '/estimate?meshes=istio', status: 400, pointer: '/pods', detail: /required/ }
]

t.test('a server fault is a 500 problem that hides its cause and is logged', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  const { createConfig } = await import('../../src/config.js')
  const lines: string[] = []
  const app = await buildApp(createConfig({}, { overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 }), { models: shippedModels(), logger: { level: 'error', stream: { write: (l: string) => lines.push(l) } } })
  t.teardown(() => app.close())
  app.get('/boom', async () => { throw new Error('secret internals') })
  const res = await app.inject('/boom')
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(res.body, /secret internals/)
  t.match(lines.join(''), /secret internals/, 'the cause goes to the log')
})

t.test('bad inputs, through inject', async (t) => {
  const app = await testApp(t)
  for (const c of cases) {
    const res = await app.inject({
      method: c.method ?? 'POST',
      url: c.url ?? '/estimate',
      ...(c.body === undefined ? {} : { payload: c.body, headers: { 'content-type': c.contentType ?? 'application/json' } })
    })
    t.equal(res.statusCode, c.status, `${c.name}: ${c.status}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${c.name}: problem+json`)
    const problem = res.json()
    t.match(problem, { status: c.status, title: String, type: String, requestId: String }, `${c.name}: problem document`)
    if (c.pointer !== undefined) {
      const hit = (problem.errors ?? []).find((e: { pointer: string }) => e.pointer === c.pointer)
      t.ok(hit, `${c.name}: names ${c.pointer} (got ${JSON.stringify(problem.errors)})`)
      if (c.detail && hit) t.match(hit.detail, c.detail, `${c.name}: states the rule`)
    } else if (c.detail) {
      t.match(problem.detail, c.detail, `${c.name}: states the rule`)
    }
    t.notMatch(res.body, /NaN|Infinity|at .*\.ts:\d+/, `${c.name}: no NaN, no stack trace`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })).statusCode, 200, 'still serving')
})

t.test('bad inputs, over a real socket: every one answered, the server still serving', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const c of cases) {
    const res = await request(`${address}${c.url ?? '/estimate'}`, {
      method: c.method ?? 'POST',
      ...(c.body === undefined ? {} : { body: c.body, headers: { 'content-type': c.contentType ?? 'application/json' } })
    })
    t.equal(res.statusCode, c.status, `${c.name}: ${c.status}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${c.name}: problem+json`)
    await res.body.dump()
  }
  const ok = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":5}' })
  t.equal(ok.statusCode, 200)
  await ok.body.dump()
})

t.test('errors raised before routing are problem documents too', async (t) => {
  const app = await testApp(t)
  for (const [url, status] of [['/meshes/%ZZ', 400], [`/meshes/${'a'.repeat(101)}`, 414]] as const) {
    const res = await app.inject(url)
    t.equal(res.statusCode, status, url.slice(0, 20))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.headers['x-request-id'], /.+/)
    t.match(res.json(), { status, title: String, requestId: String })
  }
})

t.test('each kind of failure has its own problem type', async (t) => {
  const app = await testApp(t)
  const base = 'https://meshcost.dev/problems/'
  const kinds: Array<{ name: string, status: number, type: string, method?: 'GET' | 'POST', url?: string, body?: string, contentType?: string }> = [
    { name: 'schema violation', status: 400, type: `${base}invalid-request`, body: json({ pods: 'many' }) },
    { name: 'query-string violation', status: 400, type: `${base}invalid-request`, method: 'GET', url: '/estimate?meshes=istio' },
    { name: 'broken JSON', status: 400, type: `${base}malformed-body`, body: '{"pods": ' },
    { name: 'empty body', status: 400, type: `${base}malformed-body`, body: '' },
    { name: 'unknown route', status: 404, type: `${base}not-found`, method: 'GET', url: '/nope' },
    { name: 'unknown mesh page', status: 404, type: `${base}unknown-mesh`, method: 'GET', url: '/meshes/nope' },
    { name: 'body too large', status: 413, type: `${base}body-too-large`, body: json({ pods: 1, pad: 'x'.repeat(70 * 1024) }) },
    { name: 'not JSON', status: 415, type: `${base}unsupported-media-type`, body: 'pods=1', contentType: 'text/plain' },
    { name: 'impossible scenario', status: 422, type: `${base}invalid-scenario`, body: json({ pods: 1, meshes: ['nope'] }) }
  ]
  for (const k of kinds) {
    const res = await app.inject({
      method: k.method ?? 'POST',
      url: k.url ?? '/estimate',
      ...(k.body === undefined ? {} : { payload: k.body, headers: { 'content-type': k.contentType ?? 'application/json' } })
    })
    t.equal(res.statusCode, k.status, `${k.name}: ${k.status}`)
    t.equal(res.json().type, k.type, `${k.name}: type`)
  }
})

// GET /estimate: the same scenario as query parameters gives the same answer as the POST.
import t from 'tap'
import { request } from 'undici'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { queryPointer, requestToQuery } from '../../src/schemas/query.js'
import { testApp } from '../helpers.js'

const scenarios: Array<{ name: string, body: EstimateRequest }> = [
  { name: 'just pods', body: { pods: 100 } },
  {
    name: 'every known-node field',
    body: {
      pods: 300,
      meshes: ['istio', 'linkerd'],
      basis: 'requests',
      traffic: { requestsPerSecondPerPod: 120.5 },
      workload: { services: 40, podRequests: { cpuCores: 0.25, memoryGiB: 1 } },
      cluster: { nodes: 120, cni: 'cilium', nodeType: 'aws/m5.large', region: 'us-east-1' },
      options: { highAvailability: true, observability: true },
      pricing: { book: 'opencost-default' }
    }
  },
  {
    name: 'traffic, scoping, latency hops and a baseline',
    body: {
      pods: 200,
      baseline: 'istio',
      traffic: { requestsPerSecond: 9000, distribution: 'skewed', hopsPerRequest: 4 },
      workload: { services: 80, servicesVisibleWhenScoped: 12 },
      options: { sidecarScoping: true }
    }
  },
  {
    name: 'two node pools, one Spot with a discount and a maximum',
    body: {
      pods: 57,
      meshes: ['istio', 'istio-ambient'],
      cluster: { cni: 'aws-vpc-cni', nodePools: [{ nodeType: 'aws/m5.large', region: 'us-east-1', count: 3 }, { nodeType: 'aws/m7g.xlarge', region: 'us-east-1', count: 5, maxCount: 9, pricing: { model: 'spot', discountPercent: 60 } }] }
    }
  },
  {
    name: 'a custom node and inline prices in EUR',
    body: { pods: 50, meshes: ['cilium'], cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 110, hourlyPrice: 0.3 } }, pricing: { currency: 'EUR', cpuCoreHour: 0.03, memoryGiBHour: 0.004 } }
  }
]

t.test('GET /estimate?… answers exactly what POST /estimate answers for the same scenario', async (t) => {
  const app = await testApp(t)
  for (const { name, body } of scenarios) {
    const url = `/estimate?${new URLSearchParams(requestToQuery(body))}`
    const get = await app.inject(url)
    const post = await app.inject({ method: 'POST', url: '/estimate', payload: body })
    t.equal(get.statusCode, 200, `${name}: ${url}`)
    t.equal(post.statusCode, 200, `${name}: POST`)
    t.same(get.json(), post.json(), `${name}: same answer`)
    t.ok(get.json().estimates.length > 0, `${name}: estimates`)
  }
})

t.test('?nodePools=: the grammar, repeated or comma-joined, and its errors naming the parameter', async (t) => {
  const app = await testApp(t)
  const url = '/estimate?pods=57&meshes=istio&nodePools=aws/m5.large@us-east-1:3,aws/m7g.xlarge@us-east-1:5-9:spot:60'
  t.same(requestToQuery({ pods: 57, meshes: ['istio'], cluster: { nodePools: [{ nodeType: 'aws/m5.large', region: 'us-east-1', count: 3 }, { nodeType: 'aws/m7g.xlarge', region: 'us-east-1', count: 5, maxCount: 9, pricing: { model: 'spot', discountPercent: 60 } }] } }).nodePools,
    'aws/m5.large@us-east-1:3,aws/m7g.xlarge@us-east-1:5-9:spot:60')
  const comma = await app.inject(url)
  t.equal(comma.statusCode, 200, comma.body)
  const pools = comma.json().estimates[0].capacity.pools
  t.same(pools.map((p: { name: string, pricingModel: string, hourlyPrice: number }) => [p.name, p.pricingModel, p.hourlyPrice]), [['aws/m5.large', 'onDemand', 0.096], ['aws/m7g.xlarge', 'spot', 0.06528]])
  const repeated = await app.inject('/estimate?pods=57&meshes=istio&nodePools=aws/m5.large@us-east-1:3&nodePools=aws/m7g.xlarge@us-east-1:5-9:spot:60')
  t.same(repeated.json(), comma.json(), 'repeated means the same as comma-joined')
  t.equal((await app.inject('/estimate?pods=5&meshes=istio&nodePools=aws/m7g.xlarge::spot:60')).statusCode, 200, 'count left empty')
  for (const [query, status, detail] of [
    ['nodePools=aws/m5.large:spot', 400, /pattern/],
    ['nodePools=aws/m5.large:200000', 400, /<= 100000/],
    ['nodePools=aws/m9.huge', 422, /unknown node type/],
    ['nodePools=aws/m5.large&nodeType=aws/m5.large', 422, /give it in each pool/],
    ['nodePools=aws/m7g.xlarge:1:spot', 422, /Spot/]
  ] as const) {
    const res = await app.inject(`/estimate?pods=10&${query}`)
    t.equal(res.statusCode, status, `${query}: ${status}`)
    const errors = res.json().errors as Array<{ pointer: string, detail: string }>
    t.ok(errors.some((e) => (e.pointer === '/nodePools' || e.pointer === '/nodeType') && detail.test(e.detail)), `${query}: names the parameter (${JSON.stringify(errors)})`)
  }
})

t.test('meshes as a comma list or as the parameter repeated', async (t) => {
  const app = await testApp(t)
  const comma = (await app.inject('/estimate?pods=10&meshes=istio,linkerd')).json()
  const repeated = (await app.inject('/estimate?pods=10&meshes=istio&meshes=linkerd')).json()
  t.same(comma.estimates.map((e: { mesh: string }) => e.mesh), ['istio', 'linkerd'])
  t.same(repeated, comma)
})

t.test('bad query parameters: a 400 or 422 problem naming the parameter', async (t) => {
  const app = await testApp(t)
  const cases: Array<[string, number, string, RegExp?]> = [
    ['/estimate', 400, '/pods', /required/],
    ['/estimate?pods=abc', 400, '/pods', /integer/],
    ['/estimate?pods=1.5', 400, '/pods', /integer/],
    ['/estimate?pods=0', 400, '/pods', />= 1/],
    ['/estimate?pods=1e400', 400, '/pods'],
    ['/estimate?pods=10&colour=blue', 400, '/colour', /not a known field/],
    ['/estimate?pods=10&basis=average', 400, '/basis', /one of/],
    ['/estimate?pods=10&highAvailability=maybe', 400, '/highAvailability', /boolean/],
    ['/estimate?pods=10&requestsPerSecondPerPod=NaN', 400, '/requestsPerSecondPerPod'],
    ['/estimate?pods=10&requestsPerSecondPerPod=-1', 400, '/requestsPerSecondPerPod'],
    ['/estimate?pods=10&meshes=Istio!', 400, '/meshes', /pattern/],
    ['/estimate?pods=10&meshes=istio,istio', 400, '/meshes', /duplicate/],
    ['/estimate?pods=10&meshes=istio,nope', 422, '/meshes', /unknown mesh "nope"/],
    ['/estimate?pods=10&podCpuCores=1', 400, '/podMemoryGiB', /required with podCpuCores/],
    ['/estimate?pods=10&nodeVcpu=4&nodeMaxPods=110', 400, '/nodeMemoryGiB', /required/],
    ['/estimate?pods=10&nodeHourlyPrice=1', 400, '/nodeHourlyPrice', /custom node/],
    ['/estimate?pods=10&nodeType=aws/m99.galactic', 422, '/nodeType', /unknown node type/],
    ['/estimate?pods=10&nodeType=aws/m5.large&region=mars-north-1', 422, '/region', /no price/],
    ['/estimate?pods=10&nodeType=aws/m5.large&networkMode=carrier-pigeon', 422, '/networkMode'],
    ['/estimate?pods=10&cpuCoreHour=0.03', 422, '/memoryGiBHour', /both/],
    ['/estimate?pods=10&book=nope', 422, '/book', /unknown price book/],
    ['/estimate?pods=1&podCpuCores=64&podMemoryGiB=1', 422, '/podCpuCores', /does not fit/],
    ['/estimate?pods=1&nodeType=aws/m5.large&nodeVcpu=4&nodeMemoryGiB=16&nodeMaxPods=110', 422, '/nodeVcpu'],
    ['/estimate?pods=10&format=xml', 400, '/format', /one of/]
  ]
  for (const [url, status, pointer, detail] of cases) {
    const res = await app.inject(url)
    t.equal(res.statusCode, status, `${url}: ${status}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${url}: problem+json`)
    const problem = res.json()
    const hit = (problem.errors ?? []).find((e: { pointer: string }) => e.pointer === pointer)
    t.ok(hit, `${url}: names ${pointer} (got ${JSON.stringify(problem.errors)})`)
    if (detail !== undefined && hit !== undefined) t.match(hit.detail, detail, `${url}: states the rule`)
    t.notMatch(res.body, /NaN|Infinity|\/cluster\/|\/pricing\/|\/workload\//, `${url}: no body pointers, no NaN`)
  }
})

t.test('every engine pointer maps onto a query parameter', async (t) => {
  for (const [body, query] of [
    ['/meshes/3', '/meshes'], ['/traffic/requestsPerSecondPerPod', '/requestsPerSecondPerPod'], ['/workload/services', '/services'],
    ['/workload/podRequests', '/podCpuCores'], ['/cluster/nodeType', '/nodeType'], ['/cluster/region', '/region'],
    ['/cluster/node', '/nodeVcpu'], ['/cluster/node/memoryGiB', '/nodeMemoryGiB'], ['/cluster/node/maxPods', '/nodeMaxPods'],
    ['/pricing/memoryGiBHour', '/memoryGiBHour'], ['/options/observability', '/observability'], ['/pods', '/pods']
  ]) t.equal(queryPointer(body as string), query, `${body} -> ${query}`)
})

t.test('over a real socket: a dashboard URL, JSON and CSV', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${address}/estimate?pods=100&meshes=linkerd,istio`)
  t.equal(res.statusCode, 200)
  const body = await res.body.json() as { estimates: Array<{ mesh: string }> }
  t.same(body.estimates.map((e) => e.mesh), ['linkerd', 'istio'])
  const csv = await request(`${address}/estimate?pods=100&meshes=linkerd&format=csv`)
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/)
  t.match(await csv.body.text(), /^ChargePeriodStart,/)
  const bad = await request(`${address}/estimate?pods=-1`)
  t.equal(bad.statusCode, 400)
  t.match(await bad.body.json(), { errors: [{ pointer: '/pods' }] })
})

t.test('every field of the POST body has its query parameter, so GET never falls behind POST', async (t) => {
  const { FIELDS, BODY_ONLY } = await import('../../src/schemas/query.js')
  const { EstimateRequest } = await import('../../src/schemas/estimate.js')
  const leaves = (schema: { properties?: Record<string, unknown> }, at: string[] = []): string[] =>
    Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
      const c = child as { type?: string, properties?: Record<string, unknown> }
      const path = [...at, key]
      if (BODY_ONLY.includes(path.join('.'))) return []
      return c.type === 'object' && c.properties !== undefined ? leaves(c, path) : [path.join('.')]
    })
  const mapped = new Set([...FIELDS.map(([, path]) => path.join('.')), 'meshes', 'cluster.nodePools'])
  for (const leaf of leaves(EstimateRequest)) t.ok(mapped.has(leaf), `${leaf} has a query parameter`)
  t.equal(mapped.size, leaves(EstimateRequest).length, 'and no parameter maps to a field the body lacks')
})

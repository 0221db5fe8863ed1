// GET /cluster and POST /cluster/estimate over a real socket, against a real Prometheus (Debian's package)
// scraping a fictional EKS cluster with Istio sidecars and OpenCost (test/prometheus/clusters.ts, istioCluster:
// every expected figure below is worked out from that description). Then Prometheus down, slow and erring.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig, type Config } from '../../src/config.js'
import { loggerOptions } from '../../src/logging.js'
import type { ClusterEstimateResponse, ClusterResponse } from '../../src/schemas/cluster.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { near, parseCsv, shippedModels } from '../helpers.js'
import { istioCluster } from '../prometheus/clusters.js'
import { freePort, freshScrape, requirePrometheus, startPrometheus, TEST_WINDOW, untilSample } from '../prometheus/harness.js'

/** The service on a real loopback socket; `logs` collects what it writes to its log. */
async function serve (t: Test, config: Partial<Config>): Promise<{ url: string, logs: () => string }> {
  let logs = ''
  const stream = new Writable({ write (chunk, _enc, done) { logs += String(chunk); done() } })
  // No background refresh unless a test asks (test/prometheus/whatif.test.ts): its queries would share the upstream.
  const settings = createConfig({}, { logLevel: 'info', clusterRefreshSeconds: 0, ...config })
  // the service's own logger options (redaction included), writing to `logs`
  const app = await buildApp(settings, { logger: { ...loggerOptions(settings), stream }, models: shippedModels() })
  t.teardown(() => app.close())
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: address, logs: () => logs }
}

async function call (url: string, init?: { method?: string, body?: unknown }): Promise<{ status: number, type: string, body: any, text: string, ms: number }> {
  const started = performance.now()
  const res = await fetch(url, {
    method: init?.method ?? 'GET',
    ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } })
  })
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: JSON.parse(text), text, ms: performance.now() - started }
}

// Rates come from rate() over a 10 s window of 1 s scrapes: exact for these linear counters when scrapes are on
// time, up to ~15% low when a loaded machine delays one (rate() then extrapolates less). Gauges are exact.
const RATE = 0.15

const bin = requirePrometheus(t)
if (bin !== undefined) {
  const cluster = istioCluster() // the exporter serves this object as it is at each scrape: a test may change it
  const prometheus = await startPrometheus(t, bin, cluster)
  t.comment(`Prometheus ${prometheus.version} at ${prometheus.url}`)
  const tokenDir = mkdtempSync(join(tmpdir(), 'meshcost-token-'))
  const TOKEN = 'sekrit-token-3f9a1c7e'
  writeFileSync(join(tokenDir, 'token'), `${TOKEN}\n`)
  const service = await serve(t, { prometheusUrl: prometheus.url, prometheusBearerTokenFile: join(tokenDir, 'token'), prometheusTimeoutMs: 10_000 })

  t.test('GET /cluster reports nodes, pods by namespace, the Istio sidecars with their usage, traffic and OpenCost prices', async (t) => {
    await freshScrape(prometheus.url)
    const { status, body } = await call(`${service.url}/cluster?window=${TEST_WINDOW}`)
    t.equal(status, 200)
    const view = body as ClusterResponse
    t.notMatch(JSON.stringify(view), new URL(prometheus.url).host, 'the internal address of Prometheus is in no answer')
    // 3 m5.xlarge and 1 m5.large, matched to the node types; OpenCost's node price = 4 x 0.024 + 16 x 0.003 = 0.144
    t.equal(view.nodes.total, 4)
    t.same(view.nodes.byType.map((n) => [n.nodeType, n.count, n.region, n.provider]), [['aws/m5.xlarge', 3, 'us-east-1', 'aws'], ['aws/m5.large', 1, 'us-east-1', 'aws']])
    t.same(view.nodes.byType.map((n) => [n.capacityType, n.arch]), [['onDemand', 'amd64'], ['spot', 'amd64']], 'two pools: the EKS node group On-Demand, the Karpenter node Spot')
    t.same(view.nodes.byType[0]?.capacity, { cpuCores: 4, memoryGiB: 16, pods: 58 })
    t.same(view.nodes.byType[0]?.allocatable, { cpuCores: 3.92, memoryGiB: 14.5, pods: 58 })
    t.ok(near(view.nodes.byType[0]?.hourlyPrice ?? 0, 0.144), 'm5.xlarge: 0.144 an hour')
    t.ok(near(view.nodes.byType[1]?.hourlyPrice ?? 0, 0.072), 'm5.large: 2 x 0.024 + 8 x 0.003 = 0.072 an hour')
    // Running pods only (the pending one is left out), system namespaces apart
    t.same(view.pods.byNamespace, [{ namespace: 'shop', pods: 6 }, { namespace: 'payments', pods: 4 }])
    t.equal(view.pods.total, 10)
    t.equal(view.pods.system, 8, 'kube-system 5, istio-system 3')
    // Application requests without the sidecar's: 6 x 0.25 and 4 x 0.5 cores; 6 x 0.5 and 4 x 1 GiB
    t.same(view.pods.requests, { cpuCores: { median: 0.25, mean: 0.35 }, memoryGiB: { median: 0.5, mean: 0.7 } })
    t.same(view.mesh.detected, ['istio'])
    t.same([...new Set(view.mesh.components.map((c) => c.mesh))], ['istio'], 'istiod is reported under the Istio that runs, not also under ambient')
    const component = (id: string) => view.mesh.components.find((c) => c.mesh === 'istio' && c.component === id)
    t.equal(component('istio-proxy')?.replicas, 10, 'ten running sidecars, six classic and four native (init containers); the pending pod\'s is not counted')
    t.ok(near(component('istio-proxy')?.cpuCores ?? 0, 0.2, RATE * 0.2), `sidecars: 10 x 0.02 cores, got ${component('istio-proxy')?.cpuCores}`)
    t.ok(near(component('istio-proxy')?.memoryGiB ?? 0, 0.625), 'sidecars: 10 x 64 MiB')
    t.equal(component('istiod')?.replicas, 1)
    t.ok(near(component('istiod')?.cpuCores ?? 0, 0.05, RATE * 0.05))
    t.ok(near(component('istiod')?.memoryGiB ?? 0, 0.25))
    t.equal(component('istio-ingressgateway')?.replicas, 2, 'the gateways\' istio-proxy containers are not sidecars')
    t.ok(near(component('istio-ingressgateway')?.memoryGiB ?? 0, 0.1875))
    // 10 proxies x (10 in + 5 out) = 150 requests a second
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 150, RATE * 150), `150 rps, got ${view.traffic?.requestsPerSecond}`)
    t.ok(near(view.traffic?.requestsPerSecondPerProxy ?? 0, 15, RATE * 15))
    t.same(view.prices, { source: 'opencost', currency: 'USD', cpuCoreHour: 0.024, memoryGiBHour: 0.003 })
    t.same(view.missing, [], 'every family the Istio cluster needs is there')
    t.match(view.queries['pods.byNamespace'], /kube_pod_status_phase/)
    t.match(view.queries['mesh.components.cpuCores'], /container_cpu_usage_seconds_total\{container="istio-proxy"/)
    t.match(view.queries['prices.cpuCoreHour'], /node_cpu_hourly_cost/)
  })

  t.test('POST /cluster/estimate?format=csv: POST /estimate\'s columns for the derived scenario, and the pool whose prices charge the overhead', async (t) => {
    await freshScrape(prometheus.url)
    const body = JSON.stringify({ namespaces: ['shop'], meshes: ['istio'], window: TEST_WINDOW })
    const res = await fetch(`${service.url}/cluster/estimate?format=csv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/csv/)
    const [header = [], ...rows] = parseCsv(await res.text())
    t.equal(header.at(-1), 'x_Pool', 'POST /estimate\'s columns, then x_Pool')
    const json = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: JSON.parse(body) })
    const istio = (json.body as ClusterEstimateResponse).estimates[0]
    t.equal(rows.length, istio?.components.length, 'one row per component')
    const pool = rows.map((r) => r.at(-1))
    // Least waste for the 6 pods of 0.25 core / 0.5 GiB from empty pools: one m5.large (2 cores, 7.46 GiB) wastes
    // (2 - 1.5) / 2 + (7.4608 - 3) / 7.4608 = 0.848, one m5.xlarge (4 cores, 14.92 GiB) 0.625 + 0.799 = 1.424.
    t.same([...new Set(pool)], ['aws/m5.large (spot, amd64)'], 'the pool whose unit prices charge the overhead: the Spot m5.large')
    const cost = header.indexOf('x_EstimatedCost')
    const total = rows.reduce((sum, r) => sum + Number(r[cost]), 0)
    t.ok(near(total, istio?.cost.monthly.expected ?? 0, 0.01), `the rows' x_EstimatedCost add up to cost.monthly.expected (${total} against ${istio?.cost.monthly.expected})`)
  })

  t.test('POST /cluster/estimate: the scenario of the namespaces asked for, the estimate, and Istio measured beside its model', async (t) => {
    await freshScrape(prometheus.url)
    const { status, body } = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { namespaces: ['shop'], meshes: ['istio', 'linkerd'], window: TEST_WINDOW } })
    t.equal(status, 200, JSON.stringify(body).slice(0, 500))
    const result = body as ClusterEstimateResponse
    const { scenario } = result
    t.equal(scenario.pods, 6, 'the running pods of shop')
    t.same(scenario.workload?.podRequests, { cpuCores: 0.25, memoryGiB: 0.5 })
    t.equal(scenario.workload?.clusterPods, 18, 'every running pod: 10 + 5 + 3')
    t.same(scenario.cluster, {
      nodePools: [
        { name: 'aws/m5.xlarge (onDemand, amd64)', nodeType: 'aws/m5.xlarge', region: 'us-east-1', count: 3 },
        // OpenCost prices the Spot m5.large at 2 x 0.024 + 8 x 0.003 = 0.072 an hour: 25 % off the catalog's 0.096
        { name: 'aws/m5.large (spot, amd64)', nodeType: 'aws/m5.large', region: 'us-east-1', count: 1, pricing: { model: 'spot', discountPercent: 25 } }
      ]
    }, 'both pools, as they run, the Spot one at its OpenCost price')
    const pools = result.estimates[0]?.capacity.pools
    t.same(pools?.map((p) => [p.name, p.pricingModel, p.hourlyPrice, p.nodesWithoutMesh]), [['aws/m5.xlarge (onDemand, amd64)', 'onDemand', 0.192, 3], ['aws/m5.large (spot, amd64)', 'spot', 0.072, 1]])
    t.same(scenario.pricing, { currency: 'USD', cpuCoreHour: 0.024, memoryGiBHour: 0.003 })
    t.same(scenario.meshes, ['istio', 'linkerd'])
    t.equal(scenario.baseline, 'istio', 'what runs today is the baseline')
    t.ok(near(scenario.traffic?.requestsPerSecondPerPod ?? 0, 15, RATE * 15))
    t.same(result.estimates.map((e) => e.mesh), ['istio', 'linkerd'])
    t.equal(result.assumptions.pricing.cpuCoreHour, 0.024)
    // The scenario is an ordinary POST /estimate body: sent as is, it gives the same estimates.
    const again = await call(`${service.url}/estimate`, { method: 'POST', body: scenario })
    t.equal(again.status, 200)
    t.same((again.body as EstimateResponse).estimates, result.estimates)

    t.same(result.measured.map((m) => m.mesh), ['istio'], 'measured only for the mesh that runs')
    const sidecar = result.measured[0]?.components.find((c) => c.component === 'istio-proxy')
    const modelled = result.estimates[0]?.components.find((c) => c.id === 'istio-proxy')
    t.ok(sidecar !== undefined && modelled !== undefined)
    if (sidecar === undefined || modelled === undefined) return
    t.equal(sidecar.measured.replicas, 10)
    t.ok(near(sidecar.measured.cpuCoresPerReplica, 0.02, RATE * 0.02))
    t.ok(near(sidecar.measured.memoryGiBPerReplica, 0.0625))
    t.equal(sidecar.modelled.replicas, 6, 'the model prices the 6 pods of shop')
    t.ok(near(sidecar.modelled.cpuCoresPerReplica, modelled.usage.cpuCores.expected / 6, 1e-6))
    t.ok(near(sidecar.factor.memoryGiB ?? 0, 0.0625 / sidecar.modelled.memoryGiBPerReplica, 0.001), 'factor = measured / modelled')
    t.ok(result.measured[0]?.components.some((c) => c.component === 'istiod'))

    const all = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { window: TEST_WINDOW } })
    t.equal(all.body.scenario.pods, 10, 'default: all but the system namespaces')
    t.same(all.body.scenario.workload.podRequests, { cpuCores: 0.35, memoryGiB: 0.7 }, 'the mean request')
    const payments = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { namespaces: ['payments', 'no-such-namespace'], window: TEST_WINDOW } })
    t.equal(payments.body.scenario.pods, 4)
    t.same(payments.body.scenario.workload.podRequests, { cpuCores: 0.5, memoryGiB: 1 })
    const empty = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { namespaces: ['no-such-namespace'] } })
    t.equal(empty.status, 422)
    t.equal(empty.body.errors[0].pointer, '/namespaces')
  })

  t.test('a namespace that is not a Kubernetes name never reaches PromQL: 400 naming the field', async (t) => {
    for (const bad of ['a"}) or vector(1) #', 'shop|.*', 'Shop', '-shop', 'a'.repeat(64)]) {
      const { status, type, body } = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { namespaces: ['shop', bad] } })
      t.equal(status, 400, JSON.stringify(bad))
      t.match(type, /application\/problem\+json/)
      t.ok(body.errors.some((e: { pointer: string }) => e.pointer === '/namespaces/1'), `names /namespaces/1 for ${JSON.stringify(bad)}`)
    }
    const window = await call(`${service.url}/cluster?window=${encodeURIComponent('5m]) or vector(1) #')}`)
    t.equal(window.status, 400)
    t.equal(window.body.errors[0].pointer, '/window')
  })

  t.test('a path that is not the Prometheus API: 502 saying so', async (t) => {
    const wrong = await serve(t, { prometheusUrl: `${prometheus.url}/not-the-api`, prometheusTimeoutMs: 5_000 })
    const { status, body } = await call(`${wrong.url}/cluster`)
    t.equal(status, 502)
    t.equal(body.type, 'https://meshcost.dev/problems/upstream-unavailable')
    t.match(body.detail, 'Prometheus (PROMETHEUS_URL) answered HTTP 404')
    t.notMatch(body.detail, new URL(prometheus.url).host, 'without its address')
  })

  t.test('the bearer token is sent but never written to a log or an answer', async (t) => {
    t.notMatch(service.logs(), TOKEN)
    const down = await serve(t, { prometheusUrl: `http://127.0.0.1:${await freePort()}`, prometheusBearerTokenFile: join(tokenDir, 'token'), prometheusTimeoutMs: 2_000 })
    const failed = await call(`${down.url}/cluster`)
    t.equal(failed.status, 502)
    t.notMatch(failed.text, TOKEN)
    t.notMatch(down.logs(), TOKEN)
    t.match(down.logs(), /Prometheus read failed/, 'the failure is logged')

    // What goes over the wire: a listener that records the request heads and never answers.
    let heads = ''
    const sockets = new Set<Socket>()
    const recorder = createServer((socket) => {
      sockets.add(socket)
      socket.on('data', (chunk: Buffer) => { heads += chunk.toString('latin1') })
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { for (const s of sockets) s.destroy(); recorder.close() })
    const watched = await serve(t, { prometheusUrl: `http://127.0.0.1:${(recorder.address() as { port: number }).port}`, prometheusBearerTokenFile: join(tokenDir, 'token'), prometheusTimeoutMs: 500 })
    const timedOut = await call(`${watched.url}/cluster`)
    t.equal(timedOut.status, 504)
    t.match(heads, `authorization: Bearer ${TOKEN}\r\n`, 'each query carries the token, trimmed of the file\'s newline')
    t.match(heads, /^POST \/api\/v1\/query HTTP\/1\.1\r\n/, 'queries are POSTed: no PromQL in URLs and their access logs')
    t.notMatch(timedOut.text + watched.logs(), TOKEN)
  })

  t.test('implausible values (-1, 1e308, NaN, +Inf) are dropped where they enter and named in `missing`: never a 500, nor a 4xx', async (t) => {
    // One bad value at a time, in node capacity, allocatable, an OpenCost price and a usage metric: each answer is
    // 200 with the series named in `missing` (a known node type, m5.xlarge, needs no capacity) and a finite estimate.
    const host = new URL(prometheus.url).host
    const xlarge = cluster.nodes.filter((n) => n.instanceType === 'm5.xlarge')
    const first = xlarge[0]?.name ?? ''
    const KINDS: Array<[number, RegExp]> = [[-1, /negative \(-1\)/], [1e308, /above [0-9.]+ (cores|TiB|an hour) \(1e\+308\)/], [NaN, /not a number \(NaN\)/], [Infinity, /infinite \(\+Inf\)/]]
    const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x)

    /** Both routes while the fixture holds a bad value; what each answers is checked here, the figures by `check`. */
    async function answers (t: Test, what: string): Promise<{ view: ClusterResponse, estimate: ClusterEstimateResponse } | undefined> {
      const view = await call(`${service.url}/cluster?window=${TEST_WINDOW}`)
      const estimate = await call(`${service.url}/cluster/estimate`, { method: 'POST', body: { namespaces: ['shop'], meshes: ['istio', 'linkerd'], window: TEST_WINDOW } })
      for (const [route, answer] of [['GET /cluster', view], ['POST /cluster/estimate', estimate]] as const) {
        t.equal(answer.status, 200, `${route} with ${what}`)
        if (answer.status !== 200) t.comment(answer.text.slice(0, 500))
        t.notMatch(answer.text, host, `${route}: the address of Prometheus is in no answer`)
      }
      if (view.status !== 200 || estimate.status !== 200) return undefined
      const result = estimate.body as ClusterEstimateResponse
      t.ok(result.estimates.length === 2 && result.estimates.every((e) => finite(e.totals.cpuCores.expected) && finite(e.totals.memoryGiB.expected) && finite(e.cost.monthly.expected)), `the estimate is finite with ${what}`)
      return { view: view.body as ClusterResponse, estimate: result }
    }
    const entry = (missing: ClusterResponse['missing'], metric: string) => missing.find((m) => m.metric === metric && m.dropped !== undefined)

    for (const [bad, reason] of KINDS) {
      await t.test(`node capacity (cpu) ${bad}`, async (t) => {
        for (const n of xlarge) n.capacity.cpuCores = bad
        t.teardown(() => { for (const n of xlarge) n.capacity.cpuCores = 4 })
        t.ok(await untilSample(prometheus.url, `kube_node_status_capacity{node="${first}", resource="cpu"}`, bad), 'Prometheus scraped the bad value')
        const got = await answers(t, `capacity ${bad}`)
        if (got === undefined) return
        const dropped = entry(got.view.missing, 'kube_node_status_capacity')
        t.match(dropped, { exporter: 'kube-state-metrics', dropped: 3, reason: /^kube_node_status_capacity\{resource="cpu"\}: 3 of 4 series dropped: / })
        t.match(dropped?.reason, reason)
        t.same(got.view.nodes.byType[0]?.capacity, { cpuCores: null, memoryGiB: 16, pods: 58 }, 'the m5.xlarge nodes\' CPU is unknown, the rest is kept')
        t.same(got.view.nodes.byType[1]?.capacity, { cpuCores: 2, memoryGiB: 8, pods: 29 })
        t.same(got.estimate.scenario.cluster?.nodePools?.map((p) => [p.nodeType, p.count]), [['aws/m5.xlarge', 3], ['aws/m5.large', 1]], 'a known node type: capacity is not needed')
        t.ok(entry(got.estimate.missing, 'kube_node_status_capacity'), 'POST /cluster/estimate says so too')
      })

      await t.test(`node allocatable (memory) ${bad}`, async (t) => {
        for (const n of xlarge) n.allocatable.memoryBytes = bad
        t.teardown(() => { for (const n of xlarge) n.allocatable.memoryBytes = 14.5 * 1024 ** 3 })
        t.ok(await untilSample(prometheus.url, `kube_node_status_allocatable{node="${first}", resource="memory"}`, bad), 'Prometheus scraped the bad value')
        const got = await answers(t, `allocatable ${bad}`)
        if (got === undefined) return
        const dropped = entry(got.view.missing, 'kube_node_status_allocatable')
        t.match(dropped, { dropped: 3, reason: /^kube_node_status_allocatable\{resource="memory"\}: 3 of 4 series dropped: / })
        t.match(dropped?.reason, reason)
        t.same(got.view.nodes.byType[0]?.allocatable, { cpuCores: 3.92, memoryGiB: null, pods: 58 })
        t.ok(entry(got.estimate.missing, 'kube_node_status_allocatable'))
      })

      await t.test(`OpenCost price (node_cpu_hourly_cost) ${bad}`, async (t) => {
        const opencost = cluster.nodes[0]?.opencost // one object, shared by every node
        if (opencost === undefined) return
        opencost.cpuCoreHour = bad
        t.teardown(() => { opencost.cpuCoreHour = 0.024 })
        t.ok(await untilSample(prometheus.url, 'avg(node_cpu_hourly_cost)', bad), 'Prometheus scraped the bad value')
        const got = await answers(t, `price ${bad}`)
        if (got === undefined) return
        const dropped = entry(got.view.missing, 'node_cpu_hourly_cost')
        t.match(dropped, { exporter: 'OpenCost', dropped: 1, replacedBy: /list price/, reason: /^avg\(node_cpu_hourly_cost\): dropped: / })
        t.match(dropped?.reason, reason)
        t.equal(got.view.prices, null, 'no OpenCost unit prices')
        t.equal(got.estimate.scenario.pricing, undefined, 'the estimate prices from the node catalog instead')
        t.not(got.estimate.assumptions.pricing.source, 'opencost')
        t.ok(entry(got.estimate.missing, 'node_cpu_hourly_cost'))
      })
    }

    await t.test('measured usage (container_memory_working_set_bytes of the sidecars): -1, 1e308, +Inf, NaN', async (t) => {
      // avg_over_time over the window: the bad samples show as soon as one is in it (-1 once all are), and mix with
      // the earlier ones, so only the metric is checked here, not the value in the reason.
      const sidecars = cluster.pods.flatMap((p) => p.containers.filter((c) => c.name === 'istio-proxy' && p.namespace !== 'istio-system'))
      t.teardown(() => { for (const c of sidecars) c.memoryWorkingSetBytes = 64 * 1024 ** 2 })
      for (const bad of [-1, 1e308, Infinity, NaN]) {
        for (const c of sidecars) c.memoryWorkingSetBytes = bad
        let view: { status: number, body: any, text: string } | undefined
        const deadline = Date.now() + 30_000
        while (Date.now() < deadline) {
          view = await call(`${service.url}/cluster?window=${TEST_WINDOW}`)
          if (view.status !== 200 || entry((view.body as ClusterResponse).missing, 'container_memory_working_set_bytes') !== undefined) break
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
        t.equal(view?.status, 200, `GET /cluster with sidecar memory ${bad}`)
        const dropped = entry((view?.body as ClusterResponse).missing, 'container_memory_working_set_bytes')
        t.match(dropped, { exporter: 'cAdvisor', dropped: 1, reason: /^sum\(avg_over_time\(container_memory_working_set_bytes\)\) of istio\/istio-proxy: dropped: / }, `named in missing with ${bad}`)
        t.equal((view?.body as ClusterResponse).mesh.components.find((c) => c.component === 'istio-proxy')?.memoryGiB, null)
        const got = await answers(t, `sidecar memory ${bad}`)
        if (got === undefined) continue
        t.notOk(got.estimate.measured[0]?.components.some((c) => c.component === 'istio-proxy'), 'the sidecar is not measured beside its model')
        t.ok(entry(got.estimate.missing, 'container_memory_working_set_bytes'))
      }
    })
  })
}

t.test('Prometheus down (a closed port): 502 naming it and the cause within the time-out; POST /estimate still answers', async (t) => {
  const port = await freePort()
  const { url } = await serve(t, { prometheusUrl: `http://127.0.0.1:${port}`, prometheusTimeoutMs: 3_000 })
  for (const request of [{ path: '/cluster' }, { path: '/cluster/estimate', method: 'POST', body: {} }]) {
    const { status, type, body, ms } = await call(`${url}${request.path}`, request)
    t.equal(status, 502, request.path)
    t.match(type, /application\/problem\+json/)
    t.equal(body.type, 'https://meshcost.dev/problems/upstream-unavailable')
    t.match(body.detail, 'Prometheus (PROMETHEUS_URL) refused the connection (ECONNREFUSED)')
    t.notMatch(body.detail, String(port), 'without its address')
    t.ok(ms < 3_000, `answered in ${Math.round(ms)} ms`)
  }
  const estimate = await call(`${url}/estimate`, { method: 'POST', body: { pods: 100 } })
  t.equal(estimate.status, 200)
})

t.test('Prometheus that accepts but never answers: 504 at PROMETHEUS_TIMEOUT_MS, and the connection is dropped', async (t) => {
  const sockets = new Set<Socket>()
  let closedByUs = 0
  const silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => { closedByUs++; sockets.delete(socket) })
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close() })
  const port = (silent.address() as { port: number }).port
  const { url } = await serve(t, { prometheusUrl: `http://127.0.0.1:${port}`, prometheusTimeoutMs: 800 })
  const { status, body, ms } = await call(`${url}/cluster`)
  t.equal(status, 504)
  t.equal(body.type, 'https://meshcost.dev/problems/upstream-timeout')
  t.match(body.detail, 'Prometheus (PROMETHEUS_URL) did not answer within PROMETHEUS_TIMEOUT_MS (800 ms)')
  t.ok(ms >= 750 && ms < 3_000, `answered in ${Math.round(ms)} ms`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(closedByUs > 0, 'the abandoned requests\' connections were closed')
})

t.test('our client disconnects: the queries to Prometheus are aborted at once, not at the time-out', async (t) => {
  // Prometheus (Go net/http) cancels a query's evaluation when its connection closes; so every connection that
  // carried a query must close. (undici may open a spare connection afterwards; it carries nothing.)
  const carrying = new Set<Socket>()
  const all = new Set<Socket>()
  const silent = createServer((socket) => {
    all.add(socket)
    socket.on('data', () => carrying.add(socket))
    socket.on('close', () => { carrying.delete(socket); all.delete(socket) })
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of all) s.destroy(); silent.close() })
  const port = (silent.address() as { port: number }).port
  const { url } = await serve(t, { prometheusUrl: `http://127.0.0.1:${port}`, prometheusTimeoutMs: 60_000 })
  const caller = new AbortController()
  const request = fetch(`${url}/cluster`, { signal: caller.signal }).catch((e: unknown) => e)
  while (carrying.size < 8) await new Promise((resolve) => setTimeout(resolve, 20)) // the pool's 8 connections, each with a query
  caller.abort()
  await request
  const deadline = Date.now() + 5_000
  while (carrying.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(carrying.size, 0, 'every connection that carried a query closed within 5 s of the disconnect (time-out: 60 s)')
})

t.test('an upstream that echoes the token and its own address: neither reaches an answer or a log line', async (t) => {
  // A hostile or misconfigured upstream (a proxy in front of Prometheus) answering 401 with the Authorization
  // header and its URL in its error text, as the issue found: "... bad token: Bearer <token>".
  const dir = mkdtempSync(join(tmpdir(), 'meshcost-token-'))
  const TOKEN = 'echoed-token-7c1e55d0a9'
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`)
  let address = ''
  const echo = createHttpServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `bad token at ${address}${req.url ?? ''}: ${String(req.headers.authorization)}` }))
  })
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { echo.close() })
  const port = (echo.address() as { port: number }).port
  address = `http://127.0.0.1:${port}`
  const service = await serve(t, { prometheusUrl: address, prometheusBearerTokenFile: join(dir, 'token'), prometheusTimeoutMs: 3_000 })
  const answers = [await call(`${service.url}/cluster`), await call(`${service.url}/cluster/estimate`, { method: 'POST', body: {} })]
  for (const answer of answers) {
    t.equal(answer.status, 502)
    t.match(answer.type, /application\/problem\+json/)
    t.equal(answer.body.detail, 'Prometheus (PROMETHEUS_URL) answered HTTP 401 with an error (bad_data)', 'which upstream failed and how, in our words')
  }
  const everything = answers.map((a) => a.text).join('\n') + service.logs()
  t.notMatch(everything, TOKEN, 'the token is in no answer and no log line')
  t.notMatch(everything, `127.0.0.1:${port}`, 'nor the upstream\'s address')
  t.match(service.logs(), /bad token at \[Redacted\].*Prometheus read failed/, 'the operator\'s log keeps the upstream\'s words, redacted')
})

t.test('without PROMETHEUS_URL the routes say how to configure it', async (t) => {
  const { url } = await serve(t, {})
  for (const request of [{ path: '/cluster' }, { path: '/cluster/estimate', method: 'POST', body: {} }]) {
    const { status, body } = await call(`${url}${request.path}`, request)
    t.equal(status, 503)
    t.equal(body.type, 'https://meshcost.dev/problems/prometheus-not-configured')
    t.match(body.detail, /PROMETHEUS_URL=http:\/\/prometheus\.monitoring:9090/)
  }
})

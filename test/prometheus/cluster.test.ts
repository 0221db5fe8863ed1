// Reading a cluster that runs Linkerd (test/prometheus/clusters.ts, linkerdCluster) from a real Prometheus:
// the cluster view, the client's limits, and the meshcost cluster command. Expected figures are worked out
// from the fixture's description.
import t from 'tap'
import { run } from '../../src/cli.js'
import { PrometheusClient, PrometheusError } from '../../src/prometheus/client.js'
import { readCluster } from '../../src/prometheus/cluster.js'
import { defaultScope } from '../../src/prometheus/queries.js'
import { near, shippedModels } from '../helpers.js'
import { linkerdCluster } from './clusters.js'
import { freePort, freshScrape, requirePrometheus, startPrometheus, TEST_WINDOW } from './harness.js'

async function cli (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await run(argv, { out: (s) => { out += s }, err: (s) => { err += s } })
  return { code, out, err }
}

// rate() over 10 s of 1 s scrapes: exact when scrapes are on time, up to ~15% low when a loaded machine delays one.
const RATE = 0.15

const bin = requirePrometheus(t)
if (bin !== undefined) {
  const prometheus = await startPrometheus(t, bin, linkerdCluster())
  const client = new PrometheusClient({ url: prometheus.url, timeoutMs: 10_000 })
  t.teardown(() => client.close())

  t.test('a cluster running Linkerd: GKE nodes, the proxies and control plane measured, traffic, OpenCost prices', async (t) => {
    await freshScrape(prometheus.url)
    const { view, clusterPods } = await readCluster(client, shippedModels(), defaultScope, TEST_WINDOW)
    t.equal(view.nodes.total, 2)
    t.same(view.nodes.byType.map((n) => [n.nodeType, n.count, n.region, n.provider]), [['gcp/n2-standard-4', 2, 'us-central1', 'gcp']])
    t.same(view.nodes.byType.map((n) => [n.capacityType, n.arch]), [[null, 'amd64']], 'no capacity-type label: unknown; the architecture from OpenCost\'s arch label')
    t.same(view.pods.byNamespace, [{ namespace: 'api', pods: 8 }])
    t.equal(view.pods.system, 5, 'kube-system 2, linkerd 3')
    t.equal(clusterPods, 13)
    t.same(view.pods.requests, { cpuCores: { median: 1, mean: 1 }, memoryGiB: { median: 2, mean: 2 } }, 'the linkerd-proxy requests are left out')
    t.same(view.mesh.detected, ['linkerd'])
    const c = (id: string) => view.mesh.components.find((x) => x.mesh === 'linkerd' && x.component === id)
    t.equal(c('linkerd-proxy')?.replicas, 8, 'the control plane\'s own proxies are not sidecars of the workload')
    t.ok(near(c('linkerd-proxy')?.cpuCores ?? 0, 0.08, RATE * 0.08), '8 x 0.01 cores')
    t.ok(near(c('linkerd-proxy')?.memoryGiB ?? 0, 160 / 1024), '8 x 20 MiB')
    t.ok(near(c('linkerd-destination')?.cpuCores ?? 0, 0.018, RATE * 0.018), 'destination + sp-validator + policy + proxy: 0.01 + 0.001 + 0.002 + 0.005')
    t.ok(near(c('linkerd-destination')?.memoryGiB ?? 0, 74 / 1024), '40 + 10 + 14 + 10 MiB')
    t.ok(near(c('linkerd-identity')?.memoryGiB ?? 0, 26 / 1024))
    t.ok(near(c('linkerd-proxy-injector')?.memoryGiB ?? 0, 32 / 1024))
    t.ok(near(view.traffic?.requestsPerSecond ?? 0, 320, RATE * 320), `8 proxies x (20 in + 20 out), got ${view.traffic?.requestsPerSecond}`)
    t.equal(view.traffic?.metric, 'request_total')
    t.same(view.prices, { source: 'opencost', currency: 'USD', cpuCoreHour: 0.0316, memoryGiBHour: 0.0042 })
    t.same(view.missing, [])
  })

  t.test('the client: an answer over the size cap is a 502, an abort from our caller stops the queries', async (t) => {
    const small = new PrometheusClient({ url: prometheus.url, timeoutMs: 5_000, maxAnswerBytes: 2_000 })
    t.teardown(() => small.close())
    const error = await small.queryAll({ phases: 'kube_pod_status_phase' }).catch((e: unknown) => e)
    t.ok(error instanceof PrometheusError)
    t.equal((error as PrometheusError).status, 502)
    t.match((error as PrometheusError).message, 'answered more than 2000 bytes')
    const aborted = new AbortController()
    aborted.abort()
    const gone = await client.queryAll({ nodes: 'kube_node_info' }, aborted.signal).catch((e: unknown) => e)
    t.ok(gone instanceof Error && !(gone instanceof PrometheusError), 'not a problem to answer: nobody is listening')
    const bad = await client.queryAll({ broken: 'sum(' }).catch((e: unknown) => e)
    t.equal((bad as PrometheusError).status, 502)
    t.match((bad as PrometheusError).message, /answered HTTP 400 with an error \(bad_data: /)
  })

  t.test('meshcost cluster --prometheus URL prints the estimate and Linkerd measured beside its model', async (t) => {
    await freshScrape(prometheus.url)
    const table = await cli('cluster', '--prometheus', prometheus.url, '--namespaces', 'api', '--meshes', 'linkerd,istio', '--window', TEST_WINDOW)
    t.equal(table.code, 0, table.err)
    t.match(table.out, '2 nodes, 8 pods to mesh in api; mesh running: linkerd')
    t.match(table.out, /^linkerd +[0-9.]+ \(/m)
    t.match(table.out, `linkerd measured over ${TEST_WINDOW} vs modelled`)
    t.match(table.out, /linkerd-proxy +CPU 0\.01/)
    const json = await cli('cluster', '--prometheus', prometheus.url, '--namespaces', 'api', '--window', TEST_WINDOW, '--json')
    t.equal(json.code, 0)
    const result = JSON.parse(json.out)
    t.equal(result.scenario.pods, 8)
    t.equal(result.scenario.baseline, 'linkerd')
    t.same(result.scenario.cluster, { nodes: 2, nodeType: 'gcp/n2-standard-4', region: 'us-central1' })
    t.ok(near(result.scenario.traffic.requestsPerSecondPerPod, 40, RATE * 40))
    const injected = await cli('cluster', '--prometheus', prometheus.url, '--namespaces', 'a"}) or vector(1) #')
    t.equal(injected.code, 2)
    t.match(injected.err, '--namespaces')
    const down = await cli('cluster', '--prometheus', `http://127.0.0.1:${await freePort()}`, '--timeout', '2000')
    t.equal(down.code, 1)
    t.match(down.err, 'refused the connection (ECONNREFUSED)')
  })
}

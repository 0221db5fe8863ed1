// A cluster with no mesh, no OpenCost and no node labels (test/prometheus/clusters.ts, plainCluster), read from
// a real Prometheus: what is missing is said, and the scenario falls back to the engine's defaults.
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { run } from '../../src/cli.js'
import { createConfig } from '../../src/config.js'
import type { ClusterEstimateResponse, ClusterResponse } from '../../src/schemas/cluster.js'
import { shippedModels } from '../helpers.js'
import { plainCluster } from './clusters.js'
import { requirePrometheus, startPrometheus, TEST_WINDOW, untilSample } from './harness.js'

const bin = requirePrometheus(t)
if (bin !== undefined) {
  const cluster = plainCluster() // served as it is at each scrape: a test may change it
  const prometheus = await startPrometheus(t, bin, cluster)
  const app = await buildApp(createConfig({}, { logLevel: 'silent', prometheusUrl: prometheus.url, clusterRefreshSeconds: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())

  t.test('no mesh, no OpenCost, no instance types: the view says what is missing and what replaces it', async (t) => {
    const res = await app.inject({ url: `/cluster?window=${TEST_WINDOW}` })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-cache', 'a live reading: every cache revalidates it')
    t.match(res.headers.etag, /^"/, 'an ETag still')
    const view = res.json() as ClusterResponse
    t.equal(view.nodes.total, 5)
    t.same(view.nodes.byType, [{ instanceType: null, region: null, provider: null, nodeType: null, capacityType: null, arch: null, count: 5, capacity: { cpuCores: 16, memoryGiB: 64, pods: 110 }, allocatable: { cpuCores: 15.5, memoryGiB: 60, pods: 110 }, hourlyPrice: null }])
    t.same(view.pods.byNamespace, [{ namespace: 'team-a', pods: 12 }, { namespace: 'team-b', pods: 3 }])
    t.same(view.pods.requests, { cpuCores: { median: 0.5, mean: 0.5 }, memoryGiB: { median: 1, mean: 1 } }, 'team-b\'s pods set no requests and are not counted')
    t.same(view.mesh, { detected: [], components: [] })
    t.equal(view.traffic, null)
    t.equal(view.prices, null)
    t.same(view.missing.map((m) => m.metric), ['kube_node_labels', 'node_cpu_hourly_cost', 'node_ram_hourly_cost', 'node_total_hourly_cost'], 'mesh metrics are not missing where no mesh runs')
    t.match(view.missing.find((m) => m.metric === 'node_cpu_hourly_cost'), { exporter: 'OpenCost', replacedBy: /price/ })
  })

  t.test('the estimate of that cluster: a custom node from capacity, default prices and traffic, no measured usage', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/cluster/estimate', payload: { meshes: ['istio', 'cilium'], window: TEST_WINDOW } })
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    const result = res.json() as ClusterEstimateResponse
    t.same(result.scenario, {
      pods: 15,
      meshes: ['istio', 'cilium'],
      workload: { clusterPods: 19, podRequests: { cpuCores: 0.5, memoryGiB: 1 } },
      cluster: { nodes: 5, node: { vcpu: 16, memoryGiB: 64, maxPods: 110 } }
    })
    t.same(result.measured, [])
    t.equal(result.assumptions.pricing.source, 'opencost-default', 'the default price book')
    t.ok(result.assumptions.defaultsApplied.some((d) => d.field === '/traffic/requestsPerSecondPerPod'), 'the default traffic, listed')
    t.equal(result.estimates[0]?.capacity.nodeType, 'custom')
    t.same(result.missing.map((m) => m.metric), ['kube_node_labels', 'node_cpu_hourly_cost', 'node_ram_hourly_cost', 'node_total_hourly_cost'])
  })

  t.test('implausible node capacity: dropped and named in missing; a 502 naming it when the custom node needs it, never a 4xx', async (t) => {
    const host = new URL(prometheus.url).host
    const restore = () => { for (const n of cluster.nodes) n.capacity.cpuCores = 16 }
    t.teardown(restore)
    const estimate = () => app.inject({ method: 'POST', url: '/cluster/estimate', payload: { meshes: ['istio'], window: TEST_WINDOW } })

    // Two of five nodes: the others still shape the custom node.
    for (const n of cluster.nodes.slice(0, 2)) n.capacity.cpuCores = -1
    t.ok(await untilSample(prometheus.url, 'kube_node_status_capacity{node="worker-0", resource="cpu"}', -1), 'Prometheus scraped the bad value')
    const partial = await estimate()
    t.equal(partial.statusCode, 200, partial.body.slice(0, 300))
    t.same(partial.json().scenario.cluster, { nodes: 5, node: { vcpu: 16, memoryGiB: 64, maxPods: 110 } }, 'the custom node from the three plausible nodes')
    t.same((partial.json() as ClusterEstimateResponse).missing.filter((m) => m.dropped !== undefined), [{
      metric: 'kube_node_status_capacity',
      exporter: 'kube-state-metrics',
      replacedBy: 'left out of its node type\'s mean (null when no node of the type is left); POST /cluster/estimate answers 502 when it needs the capacity of a node type that is not in GET /node-types',
      dropped: 2,
      reason: 'kube_node_status_capacity{resource="cpu"}: 2 of 5 series dropped: negative (-1)'
    }], 'named in missing, after the families Prometheus lacks')

    for (const bad of [-1, 1e308, NaN, Infinity]) {
      for (const n of cluster.nodes) n.capacity.cpuCores = bad
      t.ok(await untilSample(prometheus.url, 'kube_node_status_capacity{node="worker-4", resource="cpu"}', bad), `Prometheus scraped ${bad}`)
      const view = await app.inject({ url: `/cluster?window=${TEST_WINDOW}` })
      t.equal(view.statusCode, 200, `GET /cluster with capacity ${bad}`)
      t.equal((view.json() as ClusterResponse).nodes.byType[0]?.capacity.cpuCores, null)
      t.match((view.json() as ClusterResponse).missing.find((m) => m.dropped !== undefined), { metric: 'kube_node_status_capacity', dropped: 5, reason: /^kube_node_status_capacity\{resource="cpu"\}: 5 of 5 series dropped: (negative|above 8192 cores|not a number|infinite) / })
      const res = await estimate()
      t.equal(res.statusCode, 502, `POST /cluster/estimate with capacity ${bad}: the estimate would price another node`)
      t.equal(res.json().type, 'https://meshcost.dev/problems/upstream-unavailable')
      t.match(res.json().detail, /^Prometheus \(PROMETHEUS_URL\) answered no usable kube_node_status_capacity, which shapes the cluster's most numerous node type \(no instance type, not in GET \/node-types\): kube_node_status_capacity\{resource="cpu"\}: 5 of 5 series dropped: /)
      t.notMatch(view.body + res.body, host, 'the address of Prometheus is in no answer')
    }
    // The command line: Prometheus could not be read usefully (exit 1), in the operator's words.
    let err = ''
    const code = await run(['cluster', '--prometheus', prometheus.url, '--window', TEST_WINDOW], { out: () => {}, err: (s) => { err += s } })
    t.equal(code, 1)
    t.match(err, 'answered no usable kube_node_status_capacity')
  })
}

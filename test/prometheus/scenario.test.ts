// A cluster with no mesh, no OpenCost and no node labels (test/prometheus/clusters.ts, plainCluster), read from
// a real Prometheus: what is missing is said, and the scenario falls back to the engine's defaults.
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import type { ClusterEstimateResponse, ClusterResponse } from '../../src/schemas/cluster.js'
import { shippedModels } from '../helpers.js'
import { plainCluster } from './clusters.js'
import { requirePrometheus, startPrometheus, TEST_WINDOW } from './harness.js'

const bin = requirePrometheus(t)
if (bin !== undefined) {
  const prometheus = await startPrometheus(t, bin, plainCluster())
  const app = await buildApp(createConfig({}, { logLevel: 'silent', prometheusUrl: prometheus.url }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())

  t.test('no mesh, no OpenCost, no instance types: the view says what is missing and what replaces it', async (t) => {
    const res = await app.inject({ url: `/cluster?window=${TEST_WINDOW}` })
    t.equal(res.statusCode, 200)
    const view = res.json() as ClusterResponse
    t.equal(view.nodes.total, 5)
    t.same(view.nodes.byType, [{ instanceType: null, region: null, provider: null, nodeType: null, count: 5, capacity: { cpuCores: 16, memoryGiB: 64, pods: 110 }, allocatable: { cpuCores: 15.5, memoryGiB: 60, pods: 110 }, hourlyPrice: null }])
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
}

// On the shipped models: more traffic or more visible services raise usage by exactly the cited slopes;
// scoping lowers sidecar memory. Expected values are worked from the model files, not from the engine.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import { cpuCores, memoryGiB } from '../../src/models/quantity.js'
import type { Component } from '../../src/models/schema.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { near, shippedModels } from '../helpers.js'

const models = shippedModels()
const component = (mesh: string, id: string): Component => {
  const c = models.meshes.get(mesh)?.components.find((x) => x.id === id)
  if (c === undefined) throw new Error(`${mesh}/${id} missing`)
  return c
}
const term = (c: Component, per: string) => c.usage.scaling?.find((s) => s.per === per)
const usage = (mesh: string, id: string, request: Omit<EstimateRequest, 'meshes' | 'basis'>) => {
  const e = estimate({ ...request, meshes: [mesh], basis: 'usage' }, models).estimates[0]
  const c = e?.components.find((x) => x.id === id)
  if (c === undefined) throw new Error(`${mesh}/${id} not estimated`)
  return c.usage
}

t.test('doubling the traffic adds the per-1000-rps slope for every extra request', async (t) => {
  // 10 pods x 100 more rps each = 1 thousand more proxy passes (inbound plus outbound), whoever carries them.
  // A waypoint sees each request once, not at both ends: 1 / 2 = 0.5 thousand more. (Rates low enough that no high
  // bound reaches its replica's ceiling, the chart limit or the node: test/engine/physical.test.ts checks those.)
  const proxies = [
    ['istio', 'istio-proxy', 1], ['linkerd', 'linkerd-proxy', 1], ['kuma', 'kuma-dp', 1], ['consul', 'consul-dataplane', 1],
    ['istio-ambient', 'ztunnel', 1], ['istio-ambient', 'waypoint', 0.5]
  ] as const
  for (const [mesh, id, thousands] of proxies) {
    const slope = term(component(mesh, id), 'thousandRequestsPerSecond')?.cpu
    t.ok(slope, `${mesh}/${id} has a cited CPU slope`)
    const at100 = usage(mesh, id, { pods: 10, traffic: { requestsPerSecondPerPod: 100 }, cluster: { nodes: 2 } })
    const at200 = usage(mesh, id, { pods: 10, traffic: { requestsPerSecondPerPod: 200 }, cluster: { nodes: 2 } })
    t.ok(near(at200.cpuCores.expected - at100.cpuCores.expected, thousands * cpuCores(slope?.expected ?? '0'), 1e-5), `${mesh}/${id} expected: +${thousands} x ${slope?.expected} cores`)
    // the bounds combine the base's and the slope's errors (usage.ts fittedRange): they rise, by at most the slope's bounds
    for (const k of ['low', 'high'] as const) {
      const added = at200.cpuCores[k] - at100.cpuCores[k]
      t.ok(added >= -1e-9 && added <= thousands * cpuCores(slope?.[k === 'low' ? 'expected' : 'high'] ?? '0') + 1e-9, `${mesh}/${id} ${k}: +${added.toFixed(6)} cores, between 0 and ${thousands} x ${k === 'low' ? slope?.expected : slope?.high}`)
    }
  }
})

t.test('doubling the services adds Envoy\'s per-service memory to every sidecar', async (t) => {
  const perService = term(component('istio', 'istio-proxy'), 'visibleService')?.memory
  t.ok(perService, 'istio-proxy cites a per-service memory term')
  const fewer = usage('istio', 'istio-proxy', { pods: 100, workload: { services: 50 } })
  const more = usage('istio', 'istio-proxy', { pods: 100, workload: { services: 100 } })
  // 100 sidecars x 50 more services each; endpoints stay 100 pods
  const added = 100 * 50 * memoryGiB(perService?.expected ?? '0')
  t.ok(near(more.memoryGiB.expected - fewer.memoryGiB.expected, added, 1e-5), `expected: +100 x 50 x ${perService?.expected}`)
  // Envoy's memory has no fitted slope: its range is the expected value times the base's jackknife factors
  const factors = models.meshes.get('istio')?.components.find((c) => c.id === 'istio-proxy')?.usage.intervals?.memory
  for (const k of ['low', 'high'] as const) t.ok(near(more.memoryGiB[k] - fewer.memoryGiB[k], added * (factors?.[k] ?? NaN), 1e-5), `${k}: x ${factors?.[k]}`)
})

t.test('sidecar scoping lowers proxy memory, and only the sidecars\'', async (t) => {
  const open = estimate({ pods: 1000, meshes: ['istio'], basis: 'usage' }, models).estimates[0]
  const scoped = estimate({ pods: 1000, meshes: ['istio'], basis: 'usage', options: { sidecarScoping: true } }, models).estimates[0]
  const memory = (e: typeof open, id: string) => e?.components.find((c) => c.id === id)?.usage.memoryGiB.expected ?? NaN
  t.ok(memory(scoped, 'istio-proxy') < memory(open, 'istio-proxy'), `sidecars: ${memory(scoped, 'istio-proxy').toFixed(2)} < ${memory(open, 'istio-proxy').toFixed(2)} GiB`)
  t.equal(memory(scoped, 'istio-ingressgateway'), memory(open, 'istio-ingressgateway'), 'the gateway still sees every service')
})

t.test('Cilium\'s agent grows with the pods of the cluster', async (t) => {
  const slope = term(component('cilium', 'cilium-agent'), 'clusterPod')?.memory
  t.ok(slope)
  const tiny = { podRequests: { cpuCores: 0.01, memoryGiB: 0.01 } } // so that 100 nodes hold either workload
  const small = usage('cilium', 'cilium-agent', { pods: 1000, cluster: { nodes: 100 }, workload: tiny })
  const large = usage('cilium', 'cilium-agent', { pods: 2000, cluster: { nodes: 100 }, workload: tiny })
  // 100 agents, each holding 1,000 more pods
  t.ok(near(large.memoryGiB.expected - small.memoryGiB.expected, 100 * 1000 * memoryGiB(slope?.expected ?? '0'), 1e-5))
})

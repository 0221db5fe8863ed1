// Waypoints and autoscaled control planes on the toy mesh gamma (test/fixtures/models/meshes/gamma.yaml),
// every number worked out by hand in the comments. Application pods are small (0.1 core, 0.1 GiB) so that
// packing never matters here.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { fixtureModels } from '../helpers.js'

const models = fixtureModels()
const small = { podRequests: { cpuCores: 0.1, memoryGiB: 0.1 } }
const run = (request: Omit<EstimateRequest, 'meshes' | 'basis'>) => {
  const result = estimate({ meshes: ['gamma'], basis: 'usage', ...request, workload: { ...small, ...request.workload } }, models)
  const gamma = result.estimates[0]
  if (gamma === undefined) throw new Error('no estimate')
  const component = (id: string) => {
    const c = gamma.components.find((x) => x.id === id)
    if (c === undefined) throw new Error(`no ${id}`)
    return c
  }
  return { result, component }
}

t.test('a waypoint counts each request once', async (t) => {
  // 10 pods at 100 rps each, inbound plus outbound: 1,000 proxy passes, each request counted at both ends, so
  // 500 requests. The one waypoint sees each once: 0.5 thousand rps x 0.1 / 0.2 / 0.4 = 0.05 / 0.1 / 0.2 cores.
  const { component, result } = run({ pods: 10, traffic: { requestsPerSecondPerPod: 100 } })
  t.equal(component('waypoint').replicas, 1)
  t.same(component('waypoint').usage.cpuCores, { low: 0.05, expected: 0.1, high: 0.2 })
  t.same(result.assumptions.defaultsApplied.find((d) => d.field === '/workload/waypoints')?.value, 1, 'the default is listed')
  t.equal(result.assumptions.waypoints, 1)
})

t.test('workload.waypoints multiplies the waypoints and shares their traffic', async (t) => {
  // 3 waypoints: 3 Deployments of 1 replica. The 500 requests spread over them: 166.67 rps each, x 3 = the same
  // 0.1 expected cores in all; memory is per replica: 3 x 64 MiB = 192 MiB = 0.1875 GiB.
  const { component, result } = run({ pods: 10, traffic: { requestsPerSecondPerPod: 100 }, workload: { waypoints: 3 } })
  t.equal(component('waypoint').replicas, 3)
  t.same(component('waypoint').usage.cpuCores, { low: 0.05, expected: 0.1, high: 0.2 })
  t.equal(component('waypoint').usage.memoryGiB.expected, 0.1875)
  t.equal(result.assumptions.defaultsApplied.find((d) => d.field === '/workload/waypoints'), undefined, 'given, so not a default')
  // In HA each waypoint runs 2 replicas: 3 x 2 = 6, requests 6 x 0.1 core = 0.6 cores on the requests basis.
  const ha = estimate({ pods: 10, meshes: ['gamma'], basis: 'requests', workload: { ...small, waypoints: 3 }, options: { highAvailability: true } }, models)
  const waypoint = ha.estimates[0]?.components.find((c) => c.id === 'waypoint')
  t.equal(waypoint?.replicas, 6)
  t.same(waypoint?.basis.cpuCores, { low: 0.6, expected: 0.6, high: 0.6 })
})

t.test('the control plane scales out as its HPA does', async (t) => {
  // HPA target: 50% of the 1-core request = 0.5 core per replica. One replica's expected CPU is
  // 0.1 + 0.001 x pods / replicas.
  // 100 pods: 0.1 + 0.1 = 0.2 <= 0.5 -> 1 replica.
  t.equal(run({ pods: 100 }).component('control').replicas, 1)
  // 1,000 pods: 1 replica 1.1, 2 replicas 0.6, 3 replicas 0.1 + 0.333 = 0.433 <= 0.5 -> 3 replicas.
  // Usage: 3 x 0.1 + 1,000 x 0.001 = 1.3 cores expected; low 3 x 0.05 + 0.5 = 0.65; high 3 x 0.2 + 2 = 2.6.
  const at1000 = run({ pods: 1000 }).component('control')
  t.equal(at1000.replicas, 3)
  t.same(at1000.usage.cpuCores, { low: 0.65, expected: 1.3, high: 2.6 })
  t.equal(at1000.usage.memoryGiB.expected, 0.75, 'memory is per replica: 3 x 256 MiB')
  // 5,000 pods would need ceil(5,000 / 400) = 13 replicas; maxReplicas caps it at 4.
  t.equal(run({ pods: 5000 }).component('control').replicas, 4)
  // HA starts from 2 replicas: at 100 pods 2 (not 1).
  t.equal(run({ pods: 100, options: { highAvailability: true } }).component('control').replicas, 2)
})

t.test('more waypoints than services is refused, naming the field', async (t) => {
  // 10 pods make 5 services by default (the fixture's 2 pods per service): at most 5 waypoints.
  t.throws(() => run({ pods: 10, workload: { waypoints: 6 } }), { errors: [{ pointer: '/workload/waypoints' }] })
  t.equal(run({ pods: 10, workload: { waypoints: 5 } }).component('waypoint').replicas, 5)
})

// Replicas and scaling drivers on a toy mesh, each figure traced by hand: the chart's replica count with and
// without HA (and a component that gives none), replicas per waypoint only where the chart says so, an
// autoscaler whose CPU request is 0, and the visibleEndpoint and meshedPod drivers. Basis usage, 10 pods,
// 5 services (the fixture's 2 pods per service), small application pods.
import t from 'tap'
import type { Models } from '../../src/models/load.js'
import type { MeshModel } from '../../src/models/schema.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { estimate } from '../../src/engine/answer.js'
import { fixtureModels, near } from '../helpers.js'

const base = fixtureModels()
const alpha = base.meshes.get('alpha') as MeshModel
const zero = { low: '0', expected: '0', high: '0', sources: ['fixture'] }
const small = { cpu: '10m', memory: '16Mi', sources: ['fixture'] }
const toy = {
  ...alpha,
  id: 'toy',
  components: [
    // a sidecar whose memory grows by 1 MiB per endpoint it sees
    { id: 'proxy', name: 'proxy', scope: 'perPod', role: 'data-plane', requests: small, usage: { cpu: zero, memory: zero, scaling: [{ per: 'visibleEndpoint', memory: { low: '1Mi', expected: '1Mi', high: '1Mi', sources: ['fixture'] } }] } },
    // 2 replicas (3 under HA), each using 1m of CPU per meshed pod
    { id: 'ctl2', name: 'ctl2', scope: 'cluster', role: 'control-plane', replicas: { default: 2, highAvailability: 3, sources: ['fixture'] }, requests: small, usage: { cpu: zero, memory: zero, scaling: [{ per: 'meshedPod', cpu: { low: '1m', expected: '1m', high: '1m', sources: ['fixture'] } }] } },
    // no replicas given: one
    { id: 'bare', name: 'bare', scope: 'cluster', role: 'control-plane', requests: small, usage: { cpu: zero, memory: zero } },
    // an autoscaler with no CPU request has no target to scale to: it keeps its minimum
    { id: 'hpa0', name: 'hpa0', scope: 'cluster', role: 'control-plane', replicas: { default: 1, autoscaling: { minReplicas: 1, maxReplicas: 5, targetCpuUtilizationPercent: 80 }, sources: ['fixture'] }, requests: { cpu: '0', memory: '16Mi', sources: ['fixture'] }, usage: { cpu: { low: '100m', expected: '100m', high: '100m', sources: ['fixture'] }, memory: zero } }
  ]
} as unknown as MeshModel
const models = { ...base, meshes: new Map([['toy', toy]]) } as Models
const run = (request: Partial<EstimateRequest> = {}) => {
  const [e] = estimate({ pods: 10, meshes: ['toy'], basis: 'usage', ...request, workload: { podRequests: { cpuCores: 0.1, memoryGiB: 0.1 }, ...request.workload } }, models).estimates
  if (e === undefined) throw new Error('no estimate')
  return (id: string) => {
    const c = e.components.find((x) => x.id === id)
    if (c === undefined) throw new Error(`no ${id}`)
    return c
  }
}

t.test('replicas: the chart\'s count, HA, none given, per waypoint only where the chart says', async (t) => {
  const plain = run()
  t.equal(plain('ctl2').replicas, 2)
  t.equal(plain('bare').replicas, 1)
  t.equal(plain('hpa0').replicas, 1, 'no CPU request: the autoscaler keeps its minimum (1), not its maximum (5)')
  const ha = run({ options: { highAvailability: true } })
  t.equal(ha('ctl2').replicas, 3)
  t.equal(ha('bare').replicas, 1)
  const waypoints = run({ workload: { waypoints: 3 } })
  t.equal(waypoints('ctl2').replicas, 2, 'not a per-waypoint component: 3 waypoints change nothing')
})

t.test('drivers: meshedPod per replica, visibleEndpoint with and without scoping', async (t) => {
  // ctl2: each of 2 replicas uses 1m x 10 meshed pods = 0.01 cores; together 0.02
  t.ok(near(run()('ctl2').usage.cpuCores.expected, 0.02), `${run()('ctl2').usage.cpuCores.expected}`)
  // proxy, unscoped: endpoints of every service, 10 pods x 5 / 5 services = 10 MiB each; 10 sidecars: 100 MiB
  t.ok(near(run()('proxy').usage.memoryGiB.expected, 100 / 1024), `${run()('proxy').usage.memoryGiB.expected}`)
  // scoped to 2 services (the fixture's default): 10 pods x 2 / 5 = 4 endpoints, 4 MiB each; 40 MiB together
  const scoped = run({ options: { sidecarScoping: true } })('proxy').usage.memoryGiB.expected
  t.ok(near(scoped, 40 / 1024), `${scoped}`)
})

// The incremental sweep (sweepRows: scenarioAt and sweep-totals.ts) against the full engine (resolveScenario
// and estimateMesh at each x, as POST /estimate computes one scenario). A plumbing guard: it catches the
// incremental path deriving a field differently, skipping a check, placing replicas differently, or feeding the
// shared sums (totals.ts, usage.ts) other inputs (every figure must be the same double, compared as JSON text), not
// a wrong number in the models or in the shared arithmetic; those are checked by hand in the other engine tests
// (test/engine/totals.test.ts, usage.test.ts) and in test/engine/sweep.test.ts.
import t from 'tap'
import { DomainError } from '../../src/errors.js'
import { estimateMesh, packWorkload } from '../../src/engine/estimate.js'
import { resolveScenario } from '../../src/engine/scenario.js'
import { planSweep, sweepRows } from '../../src/engine/sweep.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { STREAM_LIMITS, type SweepRequest } from '../../src/schemas/integration.js'
import { shippedModels } from '../helpers.js'
import { pointOfEstimate, sweepPoint } from '../sweep-point.js'

const models = shippedModels()

/** The scenario at x, written out here (not through the engine's own withValue). */
function at (scenario: EstimateRequest, vary: SweepRequest['vary'], x: number): EstimateRequest {
  switch (vary) {
    case 'pods': return { ...scenario, pods: x }
    case 'requestsPerSecondPerPod': return { ...scenario, traffic: { ...scenario.traffic, requestsPerSecondPerPod: x } }
    case 'services': return { ...scenario, workload: { ...scenario.workload, services: x } }
    case 'nodes': return { ...scenario, cluster: { ...scenario.cluster, nodes: x } }
  }
}

/** Every point the full engine gives, x by x and mesh by mesh, up to the first error (as a sweep would point it). */
function fullEngine (request: SweepRequest, xs: number[]): { points: string[], error?: unknown } {
  const points: string[] = []
  for (const x of xs) {
    try {
      const scenario = resolveScenario(at(request.scenario, request.vary, x), models)
      const workload = packWorkload(scenario)
      for (const mesh of scenario.meshes) {
        points.push(JSON.stringify(pointOfEstimate(x, estimateMesh(mesh, scenario, workload))))
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      return { points, error: err.errors.map((e) => ({ pointer: `/scenario${e.pointer}`, detail: `${e.detail} (at ${request.vary} = ${x})` })) }
    }
  }
  return { points }
}

function incremental (request: SweepRequest): { xs: number[], points: string[], error?: unknown, planned: boolean } {
  const xs: number[] = []
  const points: string[] = []
  let plan
  try {
    plan = planSweep(request, models, STREAM_LIMITS)
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return { xs, points, error: err.errors, planned: false }
  }
  try {
    for (const row of sweepRows(request, plan, models)) {
      if (xs.at(-1) !== row.x) xs.push(row.x)
      for (let i = 0; i < row.count; i++) points.push(JSON.stringify(sweepPoint(row.x, row.meshes[i] as NonNullable<typeof row.meshes[number]>)))
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return { xs, points, error: err.errors, planned: true }
  }
  return { xs, points, planned: true }
}

const SCENARIOS: Array<{ what: string, scenario: EstimateRequest }> = [
  { what: 'defaults', scenario: { pods: 100 } },
  { what: 'HA, observability, scoped sidecars', scenario: { pods: 300, options: { highAvailability: true, observability: true, sidecarScoping: true } } },
  { what: 'skewed traffic, basis usage, Cilium as the CNI', scenario: { pods: 200, basis: 'usage', traffic: { requestsPerSecondPerPod: 250, distribution: 'skewed' }, cluster: { cni: 'cilium' } } },
  { what: 'basis requests, proxy requests given, m5.large', scenario: { pods: 50, basis: 'requests', options: { proxyRequests: { cpuCores: 0.05, memoryGiB: 0.0625 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } } },
  { what: 'a custom node shape with no price (prices absent: additional nodes not priced)', scenario: { pods: 80, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 30 } } } },
  { what: 'a small custom node with a price, inline unit prices', scenario: { pods: 40, cluster: { node: { vcpu: 2, memoryGiB: 4, maxPods: 17, hourlyPrice: 0.05 } }, pricing: { cpuCoreHour: 0.03, memoryGiBHour: 0.004 } } },
  { what: 'a total request rate (per pod = total / pods), clusterPods, waypoints', scenario: { pods: 60, traffic: { requestsPerSecond: 30_000 }, workload: { clusterPods: 2000, waypoints: 3 } } },
  { what: 'services given and the Spot price of a GCP node', scenario: { pods: 120, workload: { services: 7 }, cluster: { nodeType: 'gcp/e2-standard-4' }, pricing: { model: 'spot' } } },
  // 1.85 cores fit the 1.93 allocatable cores of a 2-vCPU node (6% of the first core and 1% of the second reserved),
  // but not with a 100m sidecar: meshes without sidecars give points, the first with one fails at every x
  { what: 'a pod that fits its node only without a sidecar', scenario: { pods: 30, workload: { podRequests: { cpuCores: 1.85, memoryGiB: 1 } }, cluster: { node: { vcpu: 2, memoryGiB: 8, maxPods: 30 } } } },
  // many replicas kept apart (anti-affinity) on small nodes, beside full, part-full and empty nodes
  { what: 'HA on a small custom node, with nodes given', scenario: { pods: 40, options: { highAvailability: true }, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 20 }, nodes: 30 } } },
  { what: 'a total request rate past the limit per pod at small pod counts', scenario: { pods: 60, traffic: { requestsPerSecond: 150_000 } } }
]

const RANGES: Record<SweepRequest['vary'], Array<[number, number]>> = {
  pods: [[1, 5000], [10, 100_000]],
  requestsPerSecondPerPod: [[0.5, 2000]],
  services: [[1, 400]],
  nodes: [[1, 300]]
}

t.test('every point of the incremental sweep is the full engine\'s, every field, linear and log, on the shipped models', async (t) => {
  let sweeps = 0
  let points = 0
  let errors = 0
  let plannedErrors = 0
  for (const { what, scenario } of SCENARIOS) {
    for (const vary of Object.keys(RANGES) as Array<SweepRequest['vary']>) {
      for (const [from, to] of RANGES[vary]) {
        for (const scale of ['linear', 'log'] as const) {
          const request: SweepRequest = { scenario, vary, from, to, steps: 23, scale }
          const got = incremental(request)
          const label = `${what}: ${vary} ${from}..${to} ${scale}`
          if (!got.planned) {
            // planSweep's check of both ends (tested in sweep.test.ts): the engine fails there too
            t.not(fullEngine(request, [from, to]).error, undefined, `${label}: refused before the first point, and the engine fails at an end`)
            plannedErrors++
            sweeps++
            continue
          }
          const want = fullEngine(request, got.xs)
          if (want.error === undefined && got.error !== undefined) t.fail(`${label}: the sweep failed where the engine did not: ${JSON.stringify(got.error)}`)
          t.same(got.points, want.points, label)
          t.same(got.error, want.error, `${label}: the same error, at the same point`)
          sweeps++
          points += got.points.length
          if (got.error !== undefined) errors++
        }
      }
    }
  }
  t.equal(sweeps, SCENARIOS.length * 5 * 2)
  t.ok(points > 5000, `${points} points compared`)
  t.ok(errors > 0, `${errors} sweeps end in an error, compared too`)
  t.ok(sweeps - plannedErrors > 60, `${sweeps - plannedErrors} sweeps compared point by point (${plannedErrors} refused by planSweep)`)
})

t.test('one point worked out by hand from the model files: Kuma at 200 pods, requests basis, a custom node', async (t) => {
  // models/meshes/kuma.yaml: kuma-dp, one per pod, requests 50m / 64Mi; kuma-control-plane, 1 replica (no HA, no
  // autoscaling), requests 500m / 256Mi. On the requests basis usage does not count.
  //   CPU    200 x 0.05 + 0.5 = 10.5 cores;  memory 200 x 0.0625 + 0.25 = 12.75 GiB
  //   month  (10.5 x 0.03 + 12.75 x 0.004) x 730 = 0.366 x 730 = 267.18
  // Nodes: a custom node takes models/nodes/gcp.yaml's rule. CPU reserved 6% of 1 + 1% of 1 + 0.5% of 2 = 0.08,
  // allocatable 3.92 cores; memory reserved 25% of 4 + 20% of 4 + 10% of 8 = 2.6 GiB plus 100 MiB eviction,
  // allocatable 16 - 2.6 - 0.09765625 = 13.30234375 GiB; no system pods on a custom node.
  //   without the mesh, pods of 500m / 2Gi (models/defaults.yaml): floor(13.302 / 2) = 6 per node (CPU allows 7)
  //     200 pods = 33 full nodes + 1 with 2 pods = 34 nodes
  //   with kuma-dp, 0.55 cores / 2.0625 GiB: floor(13.302 / 2.0625) = 6 per node (CPU floor(3.92 / 0.55) = 7): 34 nodes,
  //     and the control plane (0.5 cores, 0.25 GiB) fits a full node's 3.92 - 6 x 0.55 = 0.62 cores and
  //     13.302 - 6 x 2.0625 = 0.927 GiB: 34 nodes with the mesh, 0 additional, 0 x 0.2 x 730 = 0 a month
  const request: SweepRequest = {
    scenario: { pods: 100, meshes: ['kuma'], basis: 'requests', cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 110, hourlyPrice: 0.2 } }, pricing: { cpuCoreHour: 0.03, memoryGiBHour: 0.004 } },
    vary: 'pods',
    from: 100,
    to: 300,
    steps: 3
  }
  const rows: ReturnType<typeof sweepPoint>[] = []
  for (const row of sweepRows(request, planSweep(request, models), models)) rows.push(sweepPoint(row.x, row.meshes[0] as NonNullable<typeof row.meshes[number]>)) // rows are reused: read each as it comes
  t.same(rows.map((p) => p.x), [100, 200, 300])
  t.same(rows[1], {
    x: 200,
    cpuCores: 10.5,
    cpuCoresLow: 10.5,
    cpuCoresHigh: 10.5,
    memoryGiB: 12.75,
    memoryGiBLow: 12.75,
    memoryGiBHigh: 12.75,
    monthlyCost: 267.18,
    monthlyCostLow: 267.18,
    monthlyCostHigh: 267.18,
    additionalNodes: 0,
    additionalNodesMonthlyCost: 0,
    nodesWithMesh: 34
  })
})

// The totals-only path (meshTotals, used by sweeps and sensitivity) against the full answer (estimateMesh).
// A plumbing guard: both read the same computation, so this catches one of them reading the wrong figure or
// drifting apart, not a wrong number. The numbers themselves are checked by hand in estimate.shipped.test.ts,
// estimate.test.ts and the other engine tests.
import t from 'tap'
import { estimateMesh, meshTotals, packWorkload } from '../../src/engine/estimate.js'
import { resolveScenario } from '../../src/engine/scenario.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { shippedModels } from '../helpers.js'

t.test('meshTotals gives exactly the totals, capacity and monthly cost of estimateMesh, every shipped mesh, across a grid', async (t) => {
  const models = shippedModels()
  const clusters: Array<EstimateRequest['cluster']> = [
    undefined,
    { nodeType: 'aws/m5.large', region: 'us-east-1' },
    { node: { vcpu: 16, memoryGiB: 64, maxPods: 110 } } // no price: additionalNodesMonthly is null
  ]
  const requests: EstimateRequest[] = []
  for (const pods of [1, 7, 100, 2500]) {
    for (const traffic of [undefined, { requestsPerSecondPerPod: 0 }, { requestsPerSecondPerPod: 400, distribution: 'skewed' as const }]) {
      for (const basis of [undefined, 'requests', 'usage'] as const) {
        for (const cluster of clusters) {
          for (const options of [undefined, { highAvailability: true, observability: true, sidecarScoping: true }, { proxyRequests: { cpuCores: 0.05 } }]) {
            requests.push({ pods, ...(traffic && { traffic }), ...(basis && { basis }), ...(cluster && { cluster }), ...(options && { options }) })
          }
        }
      }
    }
  }
  let scenarios = 0
  let compared = 0
  for (const request of requests) {
    const scenario = resolveScenario(request, models)
    const workload = packWorkload(scenario)
    scenarios++
    for (const mesh of scenario.meshes) {
      const full = estimateMesh(mesh, scenario, workload)
      const totals = meshTotals(mesh, scenario, workload)
      const same = (a: unknown, b: unknown, what: string): void => {
        if (JSON.stringify(a) !== JSON.stringify(b)) t.fail(`${mesh.id} ${JSON.stringify(request)}: ${what} ${JSON.stringify(a)} != ${JSON.stringify(b)}`)
      }
      same(totals.cpuCores, full.totals.cpuCores, 'cpuCores')
      same(totals.memoryGiB, full.totals.memoryGiB, 'memoryGiB')
      same(totals.sidecars, full.totals.sidecars, 'sidecars')
      same(totals.extraPods, full.totals.extraPods, 'extraPods')
      same(totals.nodesWithoutMesh, full.capacity.nodesWithoutMesh, 'nodesWithoutMesh')
      same(totals.nodesWithMesh, full.capacity.nodesWithMesh, 'nodesWithMesh')
      same(totals.additionalNodes, full.capacity.additionalNodes, 'additionalNodes')
      same(totals.monthly, full.cost.monthly, 'monthly')
      same(totals.additionalNodesMonthly, full.cost.additionalNodesMonthly, 'additionalNodesMonthly')
      compared++
    }
  }
  t.equal(scenarios, 4 * 3 * 3 * 3 * 3)
  t.equal(compared, scenarios * models.meshes.size, 'every mesh of every scenario compared')
})

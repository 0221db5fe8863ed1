// The node price split into CPU and memory as OpenCost does it for the node's provider: keep the CPU:RAM ratio of
// the provider's OpenCost config, scale it so that the node's capacity as the kubelet reports it costs the node price.
// Expected values are worked out by hand from the cited configs and list prices, never by project code.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { fixtureModels, shippedModels } from '../helpers.js'

const pricing = (request: EstimateRequest, models = shippedModels()) => estimate(request, models).assumptions.pricing
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9

t.test('each provider\'s own CPU:RAM ratio prices its nodes (fixture: 5, where the default book has 8)', async (t) => {
  // lab/4x16 at 0.2 per hour, the lab provider's split 0.03 : 0.006, memory as the kubelet reports it (x 1):
  // scale = 0.2 / (4 x 0.03 + 16 x 0.006) = 0.2 / 0.216
  const p = pricing({ pods: 1, meshes: ['alpha'], cluster: { nodeType: 'lab/4x16' } }, fixtureModels())
  t.equal(p.source, 'derived-from-node-price')
  t.ok(close(p.cpuCoreHour, 0.03 * 0.2 / 0.216), `${p.cpuCoreHour}`)
  t.ok(close(p.memoryGiBHour, 0.006 * 0.2 / 0.216), `${p.memoryGiBHour}`)
  t.ok(close(p.cpuCoreHour / p.memoryGiBHour, 5))
})

t.test('AWS, GCP and Azure nodes: OpenCost\'s aws.json, gcp.json and azure.json (all 0.031611 : 0.004237 since 2025-06)', async (t) => {
  const cases: Array<[string, string, number, number, number]> = [
    // node type, region, list price per hour, vCPU, memory as the kubelet reports it (nominal x measured fraction)
    ['aws/m5.large', 'us-east-1', 0.096, 2, 8 * 0.9326],
    ['gcp/n2-standard-4', 'us-central1', 0.194236, 4, 16 * 0.970],
    ['azure/Standard_D4s_v5', 'eastus', 0.192, 4, 16 * 0.979]
  ]
  for (const [nodeType, region, hourly, vcpu, kubeletGiB] of cases) {
    const p = pricing({ pods: 1, meshes: ['linkerd'], cluster: { nodeType, region } })
    const scale = hourly / (vcpu * 0.031611 + kubeletGiB * 0.004237)
    t.ok(Math.abs(p.cpuCoreHour - 0.031611 * scale) < 1e-9, `${nodeType} CPU ${p.cpuCoreHour}`)
    t.ok(Math.abs(p.memoryGiBHour - 0.004237 * scale) < 1e-9, `${nodeType} memory ${p.memoryGiBHour}`)
    // the node's whole price is split: vCPUs and kubelet memory at these prices cost exactly the list price
    t.ok(Math.abs(vcpu * p.cpuCoreHour + kubeletGiB * p.memoryGiBHour - hourly) < 1e-8, `${nodeType} sums to the node price`)
  }
  // m5.large, by hand: 2 x 0.031611 + 7.4608 x 0.004237 = 0.063222 + 0.031611410 = 0.094833410; 0.096 / that = 1.012302;
  // CPU 0.031611 x 1.012302 = 0.0320000 per vCPU-hour
  t.ok(Math.abs(pricing({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }).cpuCoreHour - 0.0320000) < 1e-6)
})

t.test('the note says which ratio and which memory priced the node', async (t) => {
  const notes = estimate({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'azure/Standard_D4s_v5', region: 'eastus' } }, shippedModels()).assumptions.notes
  t.ok(notes.some((n) => /OpenCost's azure CPU:memory price ratio \(7\.46/.test(n) && /15\.664 GiB \(memory as the kubelet reports it\)/.test(n)), notes.join('\n'))
})

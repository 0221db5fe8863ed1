// Physical sense of every shipped mesh's answer (issue 23, item 5): bounds in order, no replica above what its chart
// limit and its node allow, idle proxies that use a little CPU, and ranges that stay well inside the cluster at
// ordinary traffic. Each check reads the service's own answer on the shipped models; none compares the engine with itself.
import t from 'tap'
import { cpuCores, memoryGiB } from '../../src/models/quantity.js'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { shippedModels } from '../helpers.js'

const models = shippedModels()
const meshIds = [...models.meshes.keys()].sort()
const answer = (rate: number): EstimateResponse => estimate({ pods: 100, basis: 'usage', traffic: { requestsPerSecondPerPod: rate } }, models)
const TOLERANCE = 1e-6 // the answer's figures carry 6 decimals

t.test('low <= expected <= high for every figure of every mesh, idle to 100 rps per pod', async (t) => {
  for (const rate of [0, 35, 100]) {
    const out: string[] = []
    for (const mesh of answer(rate).estimates) {
      const ranges = [
        ['totals cpu', mesh.totals.cpuCores], ['totals memory', mesh.totals.memoryGiB], ['monthly', mesh.cost.monthly],
        ...mesh.components.flatMap((c) => [[`${c.id} cpu`, c.usage.cpuCores], [`${c.id} memory`, c.usage.memoryGiB]] as const)
      ] as const
      for (const [name, r] of ranges) if (!(r.low <= r.expected + TOLERANCE && r.expected <= r.high + TOLERANCE)) out.push(`${mesh.mesh} ${name} at ${rate} rps: ${r.low} / ${r.expected} / ${r.high}`)
    }
    t.same(out, [], `${rate} rps per pod`)
  }
})

t.test('no replica uses more than its chart limit or its node\'s allocatable', async (t) => {
  const result = answer(100)
  const node = result.estimates[0]?.capacity.allocatablePerNode
  if (node === undefined) return t.fail('no capacity in the answer')
  let limited = 0
  for (const mesh of result.estimates) {
    const model = models.meshes.get(mesh.mesh)
    for (const c of mesh.components) {
      const limits = model?.components.find((m) => m.id === c.id)?.limits
      const cpuCap = Math.min(node.cpuCores, limits?.cpu === undefined ? Infinity : cpuCores(limits.cpu))
      const memoryCap = Math.min(node.memoryGiB, limits?.memory === undefined ? Infinity : memoryGiB(limits.memory))
      if (limits !== undefined) limited++
      t.ok(c.usage.cpuCores.high / c.replicas <= cpuCap + TOLERANCE, `${mesh.mesh}/${c.id}: CPU high ${(c.usage.cpuCores.high / c.replicas).toFixed(4)} per replica <= ${cpuCap.toFixed(4)}`)
      t.ok(c.usage.memoryGiB.high / c.replicas <= memoryCap + TOLERANCE, `${mesh.mesh}/${c.id}: memory high ${(c.usage.memoryGiB.high / c.replicas).toFixed(4)} GiB per replica <= ${memoryCap.toFixed(4)}`)
    }
  }
  t.ok(limited >= 5, `${limited} components carry chart limits`)
})

t.test('at <= 100 rps per pod, no mesh\'s CPU high takes more than a quarter of the cluster\'s allocatable', async (t) => {
  for (const rate of [0, 35, 100]) {
    for (const mesh of answer(rate).estimates) {
      const allocatable = mesh.capacity.allocatablePerNode.cpuCores * mesh.capacity.nodesWithoutMesh
      t.ok(mesh.totals.cpuCores.high <= allocatable / 4, `${mesh.mesh} at ${rate} rps: CPU high ${mesh.totals.cpuCores.high.toFixed(2)} cores <= ${(allocatable / 4).toFixed(2)}`)
    }
  }
})

t.test('a chart limit stops a replica\'s figure: kuma-control-plane\'s 256Mi, whose per-proxy term passes it near 250 pods', async (t) => {
  // The model file's sizing rule: about 1 MB per data plane on a base; at 1,000 meshed pods it asks for far more than 256Mi.
  const kuma = estimate({ pods: 1000, basis: 'usage', meshes: ['kuma'] }, models).estimates[0]
  const cp = kuma?.components.find((c) => c.id === 'kuma-control-plane')
  if (cp === undefined) return t.fail('no kuma-control-plane')
  t.equal(Number((cp.usage.memoryGiB.high / cp.replicas).toFixed(6)), Number((256 / 1024).toFixed(6)), 'memory high per replica is the 256Mi limit')
})

t.test('at <= 100 rps per pod, no mesh\'s memory high takes more than a quarter of the cluster\'s allocatable', async (t) => {
  for (const rate of [0, 35, 100]) {
    const result = answer(rate)
    for (const mesh of result.estimates) {
      const allocatable = mesh.capacity.allocatablePerNode.memoryGiB * mesh.capacity.nodesWithoutMesh
      t.ok(mesh.totals.memoryGiB.high <= allocatable / 4, `${mesh.mesh} at ${rate} rps: memory high ${mesh.totals.memoryGiB.high.toFixed(2)} GiB <= ${(allocatable / 4).toFixed(2)} GiB`)
    }
  }
})

t.test('an idle proxy (Envoy, linkerd2-proxy, ztunnel) uses more than 0 and at most 20 millicores (expected)', async (t) => {
  const idle = answer(0)
  const proxies = ['istio-proxy', 'istio-ingressgateway', 'waypoint', 'kuma-dp', 'consul-dataplane', 'cilium-envoy', 'linkerd-proxy', 'ztunnel']
  const seen: string[] = []
  for (const mesh of idle.estimates) {
    for (const c of mesh.components.filter((x) => proxies.includes(x.id))) {
      const perReplica = c.usage.cpuCores.expected / c.replicas
      seen.push(c.id)
      t.ok(perReplica > 0 && perReplica <= 0.02, `${mesh.mesh}/${c.id}: ${(perReplica * 1000).toFixed(2)} m`)
    }
  }
  t.same([...new Set(seen)].sort(), [...proxies].sort(), 'every proxy of the shipped meshes')
  t.ok(meshIds.length >= 6)
})

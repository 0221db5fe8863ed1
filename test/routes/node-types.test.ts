import t from 'tap'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { shippedModels, testApp } from '../helpers.js'

t.test('GET /node-types filters by provider and region, with allocatable and monthly prices', async (t) => {
  const app = await testApp(t)
  const all = (await app.inject('/node-types')).json<{ nodeTypes: Array<{ id: string, provider: string, prices: Array<{ region: string, hourly: number, monthly: number }>, sources: unknown[] }> }>()
  t.equal(all.nodeTypes.length, shippedModels().nodeTypes.size)
  for (const provider of ['aws', 'gcp', 'azure']) {
    const some = (await app.inject(`/node-types?provider=${provider}`)).json<typeof all>()
    t.ok(some.nodeTypes.length > 0 && some.nodeTypes.every((n) => n.provider === provider), provider)
  }
  const east = (await app.inject('/node-types?region=us-east-1')).json<typeof all>()
  t.ok(east.nodeTypes.length > 0 && east.nodeTypes.every((n) => n.prices.some((p) => p.region === 'us-east-1')))
  const m5 = all.nodeTypes.find((n) => n.id === 'aws/m5.large')
  t.match(m5, { vcpu: 2, memoryGiB: 8, maxPods: { 'vpc-cni': 29 }, defaultNetworkMode: 'vpc-cni' })
  // EKS AMI rule: CPU 6% of core 1 + 1% of core 2 = 0.07; memory 255 MiB + 11 MiB x 29 pods + 100 MiB eviction = 674 MiB,
  // taken from the 7.4608 GiB the kubelet reports (8 GiB x 0.9326): 7.4608 - 0.658203 = 6.802597 GiB.
  // 2i2c's EKS m5.large nodes report 1.93 cores and 6.803-6.815 GiB allocatable (instance_capacities.yaml).
  t.match(m5, { allocatable: { cpuCores: 1.93, memoryGiB: 6.802597 } })
  t.ok(Math.abs(((m5 as { allocatable?: { memoryGiB: number } } | undefined)?.allocatable?.memoryGiB ?? 0) - 6.803) < 0.001, 'within 1 MiB of the measured allocatable')
  t.match(m5?.prices.find((p) => p.region === 'us-east-1'), { hourly: 0.096, monthly: 70.08 })
  t.ok(all.nodeTypes.every((n) => n.sources.length > 0))
  t.equal((await app.inject('/node-types?provider=AWS!')).statusCode, 400)
  t.equal((await app.inject('/node-types?colour=blue')).statusCode, 400)
})

t.test('the README walk-through: 300 pods on aws/m5.large in us-east-1', async (t) => {
  const app = await testApp(t)
  const res = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 300, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } } })
  t.equal(res.statusCode, 200)
  const body = res.json<EstimateResponse>()
  // aws-node (50m) and kube-proxy (100m) take 0.15 of the 1.93 allocatable cores and 2 of the 29 pod slots.
  // Without a mesh: 0.5-core pods in 1.78 free cores -> 3 per node (CPU binds) -> 100 nodes.
  const istio = body.estimates.find((e) => e.mesh === 'istio')
  t.match(istio?.capacity, { nodesWithoutMesh: 100, podsPerNodeWithoutMesh: 3, systemPodsPerNode: { pods: 2, cpuCores: 0.15 } })
  // With the 0.1-core sidecar: 3 x 0.6 = 1.8 > 1.78, so 2 per node -> 150 nodes; istiod (0.5 core) fits in a node's
  // 1.78 - 1.2 = 0.58 spare: 50 more nodes.
  t.match(istio?.capacity, { nodesWithMesh: 150, additionalNodes: 50, podsPerNodeWithMesh: 2, bindingResource: 'cpu' })
  t.equal(istio?.cost.additionalNodesMonthly, 3504) // 50 x 0.096 x 730
  // Unit prices from the node price, OpenCost's way, on the memory the kubelet reports (8 x 0.9326 = 7.4608 GiB):
  // k = 0.096 / (2 x 0.031611 + 7.4608 x 0.004237)
  const k = 0.096 / (2 * 0.031611 + 7.4608 * 0.004237)
  t.equal(body.assumptions.pricing.source, 'derived-from-node-price')
  t.ok(Math.abs(body.assumptions.pricing.cpuCoreHour - 0.031611 * k) < 1e-7)
  t.ok(body.assumptions.notes.some((n) => /OpenCost's method/.test(n)))
})

interface PriceOut { region: string, currency: string, asOf: string, hourly: number, monthly: number, spotHourly?: number, commitment1YearHourly?: number, commitment3YearHourly?: number, sources: string[] }
interface NodeTypeOut { id: string, provider: string, arch: string, family: string, vcpu: number, memoryGiB: number, gpu?: { count: number, model: string }, maxPods: Record<string, number>, prices: PriceOut[], sources: Array<{ id: string, url?: string, conditions?: string }> }

t.test('GET /node-types?provider=aws&region=eu-west-1: aws/m5.large at the Ireland price, dated and sourced', async (t) => {
  const app = await testApp(t)
  const res = await app.inject('/node-types?provider=aws&region=eu-west-1')
  t.equal(res.statusCode, 200)
  const { nodeTypes } = res.json<{ nodeTypes: NodeTypeOut[] }>()
  t.ok(nodeTypes.length >= 20 && nodeTypes.every((n) => n.provider === 'aws' && n.prices.length === 1 && n.prices[0]?.region === 'eu-west-1'), 'only that region\'s prices')
  const m5 = nodeTypes.find((n) => n.id === 'aws/m5.large')
  // AWS price list, EU (Ireland), m5.large Linux: on-demand 0.107; Standard RI no upfront 1 yr 0.067, 3 yr 0.046 (2025-04-04).
  t.same(m5?.prices[0], { region: 'eu-west-1', currency: 'USD', asOf: '2025-04-04', hourly: 0.107, monthly: 78.11, commitment1YearHourly: 0.067, commitment3YearHourly: 0.046, sources: ['aws-ec2-price-list'] })
  const source = m5?.sources.find((s) => s.id === 'aws-ec2-price-list')
  t.match(source?.url, /^yeo\/ec2\.shop .*@[0-9a-f]{40}$/, 'repository, path and commit')
  t.match(source?.conditions, /2025-04-04/)
})

t.test('the largest regions of each provider are priced for every general-purpose type', async (t) => {
  const app = await testApp(t)
  const expected: Record<string, string[]> = {
    aws: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1'],
    gcp: ['us-central1', 'us-east1', 'europe-west1', 'europe-west4', 'asia-northeast1'],
    azure: ['eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope', 'southeastasia']
  }
  for (const [provider, regions] of Object.entries(expected)) {
    for (const region of regions) {
      const { nodeTypes } = (await app.inject(`/node-types?provider=${provider}&region=${region}&family=general-purpose&arch=amd64`)).json<{ nodeTypes: NodeTypeOut[] }>()
      const all = shippedModels()
      const want = [...all.nodeTypes.values()].filter(({ nodeCatalog, nodeType }) => nodeCatalog.provider === provider && nodeType.family === 'general-purpose' && nodeType.arch === 'amd64').length
      t.equal(nodeTypes.length, want, `${provider} ${region}`)
      t.ok(nodeTypes.every((n) => /^\d{4}-\d{2}-\d{2}$/.test(n.prices[0]?.asOf ?? '') && (n.prices[0]?.sources.length ?? 0) > 0), `${provider} ${region}: dated and sourced`)
    }
  }
})

t.test('an unknown or unpriced region is a 422 listing the priced regions', async (t) => {
  const app = await testApp(t)
  const unknown = await app.inject('/node-types?region=mars-north-1')
  t.equal(unknown.statusCode, 422)
  t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(unknown.json(), { errors: [{ pointer: '/region', detail: /"mars-north-1".*priced regions: .*eu-west-1.*europe-west1.*westeurope/ }] })
  const wrongProvider = await app.inject('/node-types?provider=aws&region=europe-west1')
  t.equal(wrongProvider.statusCode, 422)
  t.match(wrongProvider.json().detail, /no aws node type is priced in region "europe-west1"; priced regions: ap-northeast-1, .*us-west-2/)
  t.notMatch(wrongProvider.json().detail, /us-central1/, 'only the provider\'s regions')
})

t.test('ARM and GPU node types with sourced prices and max pods', async (t) => {
  const app = await testApp(t)
  const arm = (await app.inject('/node-types?arch=arm64')).json<{ nodeTypes: NodeTypeOut[] }>().nodeTypes
  for (const id of ['aws/m7g.large', 'aws/r7g.large', 'gcp/c4a-standard-2', 'gcp/t2a-standard-2', 'azure/Standard_D2ps_v5', 'azure/Standard_D2ps_v6']) {
    const n = arm.find((x) => x.id === id)
    t.ok(n !== undefined && n.prices.length > 0 && n.prices.every((p) => p.sources.length > 0 && p.asOf !== '') && Object.keys(n.maxPods).length > 0, `${id}: ARM, priced, max pods`)
  }
  // Graviton3 m7g.large, us-east-1: 0.0816 in the AWS price list (and in Karpenter's us-east-1 file); VPC CNI max pods 29.
  t.match(arm.find((n) => n.id === 'aws/m7g.large'), { maxPods: { 'vpc-cni': 29 }, prices: [{ region: 'us-east-1', hourly: 0.0816 }] })
  // Axion c4a-standard-2, us-central1: hour 0.0898, hour_spot 0.038816 in pricing.yml (2026-07-30).
  t.match(arm.find((n) => n.id === 'gcp/c4a-standard-2')?.prices.find((p) => p.region === 'us-central1'), { hourly: 0.0898, spotHourly: 0.038816, asOf: '2026-07-30' })
  // Cobalt 100 D2ps_v6, eastus: 0.0702 in Karpenter Azure's Retail Prices file (2026-06-18).
  t.match(arm.find((n) => n.id === 'azure/Standard_D2ps_v6')?.prices.find((p) => p.region === 'eastus'), { hourly: 0.0702, asOf: '2026-06-18' })

  const gpu = (await app.inject('/node-types?family=gpu')).json<{ nodeTypes: NodeTypeOut[] }>().nodeTypes
  t.same(gpu.map((n) => n.provider).sort().filter((p, i, a) => a.indexOf(p) === i), ['aws', 'azure', 'gcp'], 'GPU nodes on every provider')
  t.ok(gpu.every((n) => n.gpu !== undefined && n.gpu.count >= 1 && n.prices.every((p) => p.sources.length > 0)))
  // g4dn.xlarge: 1 NVIDIA T4, 4 vCPU, 16 GiB, us-east-1 0.526 per hour; eni-max-pods.txt: 29.
  t.match(gpu.find((n) => n.id === 'aws/g4dn.xlarge'), { vcpu: 4, memoryGiB: 16, gpu: { count: 1, model: 'NVIDIA T4' }, maxPods: { 'vpc-cni': 29 }, prices: [{ region: 'us-east-1', hourly: 0.526, commitment1YearHourly: 0.331 }] })
  t.match(gpu.find((n) => n.id === 'gcp/g2-standard-4'), { gpu: { count: 1, model: 'NVIDIA L4' }, maxPods: { 'gke-standard': 110 } })
  t.match(gpu.find((n) => n.id === 'azure/Standard_NC4as_T4_v3'), { vcpu: 4, memoryGiB: 28, maxPods: { 'azure-cni-overlay': 250 } })
})

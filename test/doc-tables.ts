// The tables and trimmed answers in docs/ that the engine computes from the shipped models, each between
// <!-- generated:NAME --> and <!-- /generated -->. test/docs.test.ts checks each block against this rendering;
// npm run generate rewrites them (and test/golden/), so a change to a model shows up as a reviewed diff.
import { reproduce } from '../src/engine/calibration.js'
import { MESH_COMPONENTS } from '../src/prometheus/queries.js'
export { renderGenerated } from '../scripts/generated-blocks.js'
import { estimate } from '../src/engine/answer.js'
import { recommend } from '../src/engine/recommend.js'
import { cpuCores } from '../src/models/quantity.js'
import type { Models } from '../src/models/load.js'
import type { EstimateRequest, MeshEstimate } from '../src/schemas/estimate.js'
import type { RecommendRequest } from '../src/schemas/recommend.js'

const fmt = (x: number, digits = 2): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const range = (r: { low: number, expected: number, high: number }, digits = 2): string => `${fmt(r.expected, digits)} (${fmt(r.low, digits)}–${fmt(r.high, digits)})`

/** The console lines of a POST as a reader would type it. */
const curl = (path: string, request: unknown): string[] =>
  ['```console', `$ curl -s localhost:3000${path} -H 'content-type: application/json' -d '${JSON.stringify(request)}'`, '```']

const SEED: Record<string, { memory: string, cpu: string, pods: string }> = {
  istio: { memory: '~5-10 GB (sidecars) + control plane', cpu: '~2-5 cores', pods: '100 sidecars + istiod' },
  linkerd: { memory: '~1-2 GB (sidecars) + control plane', cpu: '~0.5-1 core', pods: '100 sidecars + control plane' },
  cilium: { memory: '~0 (no sidecars)', cpu: 'Minimal (eBPF)', pods: '0 additional' }
}

function seedTable (models: Models): string {
  const rows = ['| Mesh | Seed: memory | Seed: CPU | Seed: pods | meshcost: memory GiB, expected (low–high) | meshcost: CPU cores | meshcost: sidecars + extra pods |', '|---|---|---|---|---|---|---|']
  const scenarios: Array<[string, string, EstimateRequest]> = [
    ['istio', 'Istio', { pods: 100, basis: 'usage', meshes: ['istio'] }],
    ['linkerd', 'Linkerd', { pods: 100, basis: 'usage', meshes: ['linkerd'] }],
    ['cilium', 'Cilium, already the CNI', { pods: 100, basis: 'usage', meshes: ['cilium'], cluster: { cni: 'cilium' } }],
    ['cilium', 'Cilium, replacing another CNI', { pods: 100, basis: 'usage', meshes: ['cilium'] }]
  ]
  for (const [id, label, request] of scenarios) {
    const seed = SEED[id] as { memory: string, cpu: string, pods: string }
    const e = estimate(request, models).estimates[0] as MeshEstimate
    rows.push(`| ${label} | ${seed.memory} | ${seed.cpu} | ${seed.pods} | ${range(e.totals.memoryGiB)} | ${range(e.totals.cpuCores)} | ${e.totals.sidecars} + ${e.totals.extraPods} |`)
  }
  const proxy = (mesh: string, component: string): string => {
    const e = estimate({ pods: 100, basis: 'usage', meshes: [mesh] }, models).estimates[0] as MeshEstimate
    const c = e.components.find((x) => x.id === component)
    return c === undefined ? 'n/a' : range(c.usage.memoryGiB)
  }
  rows.push('', `Sidecars alone, 100 pods on the usage basis: Istio ${proxy('istio', 'istio-proxy')} GiB, Linkerd ${proxy('linkerd', 'linkerd-proxy')} GiB.`)
  rows.push('', 'Where they differ, and why:', ...seedComparison(models))
  return rows.join('\n')
}

/** Where the expected figure stands against the seed's range, in the seed's units (GB = 10^9 bytes). */
function against (value: number, [low, high]: readonly [number, number], unit: string): string {
  const where = value < low ? 'below' : value > high ? 'above' : 'within'
  return `${where} the seed's ${low}–${high} ${unit}`
}

/** The seed comparison's bullets: the figures from the engine, the reasons from the model files' sources. */
function seedComparison (models: Models): string[] {
  const usage = (mesh: string): MeshEstimate => estimate({ pods: 100, basis: 'usage', meshes: [mesh] }, models).estimates[0] as MeshEstimate
  const requests = (mesh: string): MeshEstimate => estimate({ pods: 100, basis: 'requests', meshes: [mesh] }, models).estimates[0] as MeshEstimate
  const gb = (gib: number): number => gib * 2 ** 30 / 1e9
  const component = (e: MeshEstimate, id: string) => e.components.find((c) => c.id === id)
  const istio = usage('istio')
  const istioSidecars = component(istio, 'istio-proxy')
  const istioRequested = component(requests('istio'), 'istio-proxy')
  const linkerd = usage('linkerd')
  const linkerdSidecars = component(linkerd, 'linkerd-proxy')
  if (istioSidecars === undefined || istioRequested === undefined || linkerdSidecars === undefined) throw new Error('the sidecars are missing')
  const proxyCpu = istioProxyCpu(models)
  const m = (cores: number): string => `${fmt(cores * 1000, 1)}m`
  // The sentence's arithmetic must be the answer's: 100 sidecars at 35 rps each.
  if (Math.abs(100 * (proxyCpu.base + proxyCpu.slope * 0.035) - istioSidecars.usage.cpuCores.expected) > 0.01) throw new Error('the Istio sidecar CPU arithmetic is not the answer\'s')
  return [
    `- **Istio memory**, ${fmt(gb(istio.totals.memoryGiB.expected))} GB expected (${fmt(gb(istio.totals.memoryGiB.low))}–${fmt(gb(istio.totals.memoryGiB.high))}), is ${against(gb(istio.totals.memoryGiB.expected), [5, 10], 'GB')}: the expected sidecar is Istio 1.24's published 60 MB (measured with Sidecar scoping); the high bound is the 156 MB Buoyant measured.`,
    `- **Istio CPU**, ${fmt(istio.totals.cpuCores.expected)} cores on the usage basis, is ${against(istio.totals.cpuCores.expected, [2, 5], 'cores')}. The sidecars' ${fmt(istioSidecars.usage.cpuCores.expected)} are 100 × (${m(proxyCpu.base)} idle + ${fmt(proxyCpu.slope, 4)} cores per 1,000 rps × 0.035): the idle base and slope fitted on every Envoy measurement (\`models/fitted/istio.yaml\`, see below), where Istio 1.24's own benchmark alone gives 0.20 vCPU per 1,000 rps. What the sidecars *request*, ${fmt(istioRequested.requests.total.cpuCores)} cores (the \`requests\` and \`max\` bases), is what a cluster pays for.`,
    `- **Linkerd memory**, ${fmt(gb(linkerd.totals.memoryGiB.expected))} GB expected (${fmt(gb(linkerd.totals.memoryGiB.low))}–${fmt(gb(linkerd.totals.memoryGiB.high))}; the sidecars ${fmt(gb(linkerdSidecars.usage.memoryGiB.expected))} GB), is ${against(gb(linkerd.totals.memoryGiB.expected), [1, 2], 'GB')} for 100 sidecars: the expected proxy is the newest published benchmark (26.3 MB per proxy, Linkerd 2.11.1, the largest proxy of the run). Linkerd publishes no per-core CPU figure, so proxy CPU is a stated assumption.`,
    '- **Cilium** is close to zero only when Cilium is already the CNI. Adopting it as a mesh on another CNI means running its agent, its Envoy DaemonSet and its operator: that overhead is per node, not per pod.'
  ]
}

function walkthrough (models: Models): string {
  const request: EstimateRequest = { pods: 300, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }
  const r = estimate(request, models)
  const cluster = request.cluster as { nodeType: string, region: string }
  const rows = [
    `Walk-through: ${request.pods} pods on \`${cluster.nodeType}\` in \`${cluster.region}\`.`,
    '',
    ...curl('/estimate', request),
    '| Mesh | nodes without | nodes with | additional | binding resource | pods/node without → with | allocated cost / month | additional nodes / month |',
    '|---|---|---|---|---|---|---|---|'
  ]
  for (const e of r.estimates) {
    const c = e.capacity
    rows.push(`| ${e.mesh} | ${c.nodesWithoutMesh} | ${c.nodesWithMesh} | ${c.additionalNodes} | ${c.bindingResource} | ${c.podsPerNodeWithoutMesh} → ${c.podsPerNodeWithMesh} | ${range(e.cost.monthly)} ${e.cost.currency} | ${e.cost.additionalNodesMonthly === null ? 'n/a' : fmt(e.cost.additionalNodesMonthly)} |`)
  }
  const p = r.assumptions.pricing
  rows.push('', `Unit prices (${p.source}): ${p.cpuCoreHour} ${p.currency} per vCPU-hour, ${p.memoryGiBHour} per GiB-hour.`)
  rows.push('', walkthroughReading(r, models))
  return rows.join('\n')
}

/** The walkthrough's reading, every figure from the answer it reads and the node catalog it was priced from. */
function walkthroughReading (r: ReturnType<typeof estimate>, models: Models): string {
  const [first] = r.estimates
  if (first === undefined) throw new Error('no estimate')
  const c = first.capacity
  const known = models.nodeTypes.get(c.nodeType)
  if (known === undefined) throw new Error(`${c.nodeType} is not in the node catalog`)
  const podRequests = r.assumptions.defaultsApplied.find((d) => d.field === '/workload/podRequests')?.value
  const most = [...r.estimates].sort((a, b) => b.capacity.additionalNodes - a.capacity.additionalNodes)[0] as MeshEstimate
  const none = r.estimates.filter((e) => e.capacity.additionalNodes === 0).map((e) => e.mesh)
  const hourly = r.assumptions.pricing.node?.hourly
  const list = (ids: string[]): string => ids.length <= 1 ? ids.join('') : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1) as string}`
  const added = most.capacity.additionalNodes
  return [
    `Read it like this. An ${c.nodeType} has ${known.nodeType.vcpu} vCPUs and ${known.nodeType.memoryGiB} GiB; on the provider's default network mode it takes ${c.maxPodsPerNode} pods.`,
    `The kubelet reports ${fmt(c.kubeletMemoryPerNodeGiB, 3)} GiB of memory, and the provider's reservation leaves ${fmt(c.allocatablePerNode.cpuCores)} cores and ${fmt(c.allocatablePerNode.memoryGiB)} GiB allocatable, of which its ${c.systemPodsPerNode.pods} system pods request ${fmt(c.systemPodsPerNode.cpuCores)} cores.`,
    `Application pods of ${String(podRequests)} fit ${c.podsPerNodeWithoutMesh} to a node, so the workload needs ${c.nodesWithoutMesh} nodes.`,
    added === 0
      ? 'No mesh adds a node.'
      : `${most.name}'s requests bring that to ${most.capacity.podsPerNodeWithMesh} a node (${most.capacity.bindingResource} binds), so it adds ${added} node${added === 1 ? '' : 's'}: ${most.cost.additionalNodesMonthly === null || hourly === undefined ? 'no node price is known' : `${added} × ${hourly} ${first.cost.currency} × 730 hours = ${fmt(most.cost.additionalNodesMonthly)} ${first.cost.currency} a month`}.`,
    ...r.estimates.filter((e) => e !== most && e.capacity.additionalNodes > 0).map((e) => `${e.name} adds ${e.capacity.additionalNodes}.`),
    none.length === 0 ? '' : `${list(none)} add no node: what they request still fits, though they use CPU and memory, which the allocated cost shows.`,
    'Unit prices here are the node price split OpenCost\'s way.'
  ].filter(Boolean).join(' ')
}

/** README.md's reading of its first example, every figure from that answer. */
function readmeReading (models: Models): string {
  const r = estimate({ pods: 100, meshes: ['linkerd'] }, models)
  const e = r.estimates[0] as MeshEstimate
  const { cost, totals, capacity } = e
  const marginal = capacity.additionalNodes === 0
    ? `the overhead fits in the ${capacity.nodesWithoutMesh} nodes the workload already needs, so the **marginal cost** of extra nodes is 0`
    : `the mesh needs ${capacity.additionalNodes} more nodes: a **marginal cost** of ${cost.additionalNodesMonthly === null ? 'unknown (no node price)' : `${fmt(cost.additionalNodesMonthly)} ${cost.currency} a month`}`
  return [
    '(Trimmed: the answer also lists each component with its requests, usage and sources, the latency per',
    `hop, and every default it applied with its reason.) Read it as: ${e.name}'s ${totals.sidecars} sidecars and ${totals.extraPods}`,
    `control-plane pods take about ${fmt(totals.cpuCores.expected)} cores and ${fmt(totals.memoryGiB.expected)} GiB on the ${r.assumptions.basis} basis (requests or usage, whichever is more, per component); at OpenCost's default unit prices that is an`,
    `**allocated cost** of about ${fmt(cost.monthly.expected)} ${cost.currency} a month (${fmt(cost.monthly.low)} to ${fmt(cost.monthly.high)}: the model's range), and`,
    `${marginal}.`
  ].join('\n')
}

function calibrations (models: Models): string {
  const rows = ['| Mesh | Figure the model was built from (arithmetic guard) | Scenario | Published (per replica) | Model file, expected | Tolerance | Served range (one replica) | Source kind |', '|---|---|---|---|---|---|---|---|']
  for (const mesh of models.meshes.values()) {
    for (const c of mesh.calibrations ?? []) {
      const { model, published } = reproduce(mesh, c, models)
      const served = reproduce(mesh, c, models, true)
      const servedRange = [published.cpuCores === undefined ? '' : `${fmt(served.range.cpuCores.low, 3)}–${fmt(served.range.cpuCores.high, 3)} vCPU`, published.memoryGiB === undefined ? '' : `${fmt(served.range.memoryGiB.low * 1024, 1)}–${fmt(served.range.memoryGiB.high * 1024, 1)} MiB`].filter(Boolean).join(', ') +
        (served.pass ? ': inside' : c.servedExcludes === undefined ? ': OUTSIDE' : ': outside (the model file says why)')
      const s = c.scenario
      const scenario = [`${s.pods} pod${s.pods === 1 ? '' : 's'}`, s.requestsPerSecondPerPod === undefined ? '' : `${s.requestsPerSecondPerPod} rps/pod`, s.services === undefined ? '' : `${s.services} service${s.services === 1 ? '' : 's'}`, s.nodes === undefined ? '' : `${s.nodes} node${s.nodes === 1 ? '' : 's'}`].filter(Boolean).join(', ')
      const pub = [published.cpuCores === undefined ? '' : `${published.cpuCores} vCPU`, published.memoryGiB === undefined ? '' : `${fmt(published.memoryGiB * 1024, 1)} MiB`].filter(Boolean).join(', ')
      const got = [published.cpuCores === undefined ? '' : `${fmt(model.cpuCores, 3)} vCPU`, published.memoryGiB === undefined ? '' : `${fmt(model.memoryGiB * 1024, 1)} MiB`].filter(Boolean).join(', ')
      const kinds = [...new Set(c.sources.map((id) => mesh.sources[id]?.kind ?? '?'))].join(', ')
      rows.push(`| ${mesh.id} | ${c.title} | ${scenario} | ${pub} | ${got} | ±${c.tolerancePercent}% | ${servedRange} | ${kinds} |`)
    }
  }
  return rows.join('\n')
}

function latencyTable (models: Models): string {
  const rows = ['| Mesh | p50 ms per hop | p90 ms per hop | p99 ms per hop | Measured by |', '|---|---|---|---|---|']
  for (const mesh of models.meshes.values()) {
    const l = mesh.latency
    if (l === undefined) { rows.push(`| ${mesh.id} | – | – | – | no per-hop figure published |`); continue }
    const cell = (r?: { low: number, expected: number, high: number }) => (r === undefined ? '–' : range(r, 3))
    const kinds = [...new Set([l.p50Ms, l.p90Ms, l.p99Ms].flatMap((r) => r?.sources ?? []).map((id) => mesh.sources[id]?.kind ?? '?'))].join(', ')
    rows.push(`| ${mesh.id} | ${cell(l.p50Ms)} | ${cell(l.p90Ms)} | ${cell(l.p99Ms)} | ${kinds} |`)
  }
  return rows.join('\n')
}

function recommendExample (models: Models): string {
  const request: RecommendRequest = { services: 40, requirements: { mtls: true, l7Observability: true }, priority: 'overhead', current: { cni: 'calico', mesh: 'istio' }, pods: 200 }
  const r = recommend(request, models)
  const rows = [
    ...curl('/recommend', request),
    '| Rank | Mesh | Missing | Partial | Complexity | Overhead / month, expected (low–high) | Saving against Istio / month | Nodes added |',
    '|---|---|---|---|---|---|---|---|'
  ]
  for (const c of r.candidates) {
    const e = c.estimate
    rows.push(`| ${c.rank} | ${c.mesh} | ${c.missingFeatures.join(', ') || '—'} | ${c.partialFeatures.join(', ') || '—'} | ${c.complexity} | ${e === undefined ? 'n/a' : `${range(e.monthly)} ${e.currency}`} | ${e?.savingsAgainstCurrent === undefined ? 'n/a' : fmt(e.savingsAgainstCurrent.monthly)} | ${e?.additionalNodes ?? 'n/a'} |`)
  }
  const top = r.candidates[0]
  const trimmed = {
    needsMesh: r.needsMesh,
    candidates: [{ ...top, estimate: top?.estimate === undefined ? undefined : { monthly: top.estimate.monthly, delta: { baseline: top.estimate.delta.baseline, change: top.estimate.delta.change }, savingsAgainstCurrent: top.estimate.savingsAgainstCurrent } }, `… ${r.candidates.length - 1} more candidates`],
    migration: r.migration
  }
  rows.push('', '```json', JSON.stringify(trimmed, null, 2), '```', '(Trimmed where marked `…`; the full answer has every candidate\'s estimate and delta, the assumptions and the sources.)')
  rows.push('', recommendReading(r, request, models))
  return rows.join('\n')
}

/** The recommendation's reading: every figure from the answer and the model files it came from. */
function recommendReading (r: ReturnType<typeof recommend>, request: RecommendRequest, models: Models): string {
  const current = request.current?.mesh
  const [top] = r.candidates
  const currentCandidate = r.candidates.find((c) => c.mesh === current)
  if (top === undefined || top.estimate === undefined || currentCandidate?.estimate === undefined) throw new Error('the example needs a costed top candidate and the current mesh')
  const share = top.estimate.monthly.expected / currentCandidate.estimate.monthly.expected
  const proxy = (mesh: string) => models.meshes.get(mesh)?.components.find((c) => c.scope === 'perPod')?.requests
  const topProxy = proxy(top.mesh)
  const currentProxy = proxy(current as string)
  const name = (id: string) => models.meshes.get(id)?.name ?? id
  const cheaperPartial = r.candidates.filter((c) => c.rank > top.rank && c.estimate !== undefined && c.estimate.monthly.expected < currentCandidate.estimate!.monthly.expected && c.partialFeatures.length > 0)
  const list = (ids: string[]): string => ids.length <= 1 ? ids.join('') : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1) as string}`
  const partial = [...new Set(cheaperPartial.flatMap((c) => c.partialFeatures))]
  return [
    `${name(top.mesh)} covers the requirements at ${Math.round(100 * share)} % of ${name(current as string)}'s allocated cost here`,
    topProxy === undefined || currentProxy === undefined ? '.' : ` (its proxy requests ${topProxy.cpu} CPU and ${topProxy.memory} memory; every ${name(current as string)} sidecar requests ${currentProxy.cpu} and ${currentProxy.memory}, and the \`max\` basis charges requests).`,
    cheaperPartial.length === 0 ? '' : ` ${list(cheaperPartial.map((c) => name(c.mesh)))} cost less than ${name(current as string)} too, but rank below every mesh that fully covers the requirements: their ${list(partial)} ${partial.length === 1 ? 'is' : 'are'} \`partial\`.`
  ].join('')
}

export function generatedBlocks (models: Models): Record<string, string> {
  return {
    'recommend-example': recommendExample(models),
    'seed-table': seedTable(models),
    walkthrough: walkthrough(models),
    calibrations: calibrations(models),
    latency: latencyTable(models),
    'engine-example': engineExample(models),
    'readme-reading': readmeReading(models),
    'reservation-rules': reservationRules(models),
    'price-split': priceSplit(models),
    'mesh-detection': meshDetection()
  }
}

/** docs/integrations.md's table of how a running mesh is recognised: src/prometheus/queries.ts's matchers, as they are. */
function meshDetection (): string {
  return [
    '| Mesh | Component | Label matchers | Detects the mesh |',
    '|---|---|---|---|',
    ...MESH_COMPONENTS.map((c) => `| ${c.mesh} | ${c.component} | \`${c.matchers.replace(/\|/g, '\\|')}\` | ${c.detects ? 'yes' : 'no'} |`)
  ].join('\n')
}

const PROVIDER_RULE: Record<string, string> = { aws: 'EKS\'s AMI rule', gcp: 'GKE\'s tiers', azure: 'AKS\'s' }
const PROVIDER_NAME: Record<string, string> = { aws: 'AWS', gcp: 'GCP', azure: 'Azure' }
const percent = (fraction: number): string => String(Number((fraction * 100).toPrecision(6)))
const list = (items: string[]): string => items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) as string}`

/** docs/models.md's allocatable rules, one per node catalog, from its `reservation`. */
function reservationRules (models: Models): string {
  const rules = [...models.nodeCatalogs.values()].map((catalog) => {
    const r = catalog.reservation
    const memory = [
      r.memoryTiers.length === 0 ? '' : `${r.memoryTiers.map((t) => percent(t.fraction)).join('/')} %`,
      r.memoryFixedMiB === 0 && r.memoryPerPodMiB === 0 ? '' : `${r.memoryFixedMiB} MiB + ${r.memoryPerPodMiB} MiB × max pods`
    ].filter(Boolean).join(' + ')
    const cap = r.memoryCapFraction === undefined ? '' : ` capped at ${percent(r.memoryCapFraction)} %`
    return `${PROVIDER_RULE[catalog.provider] ?? `${catalog.provider}'s`} (CPU ${r.cpuTiers.length > 1 ? 'tiers ' : ''}${r.cpuTiers.map((t) => percent(t.fraction)).join('/')} %, memory ${memory || 'none'}${cap}, ${r.evictionMiB} MiB eviction)`
  })
  return `${list(rules)}.`
}

/**
 * docs/api.md's split of a node price, OpenCost's way, worked by hand from the node catalogs and the default price
 * book; rendering fails if the hand arithmetic is not what the service answers for the same two nodes.
 */
function priceSplit (models: Models): string {
  const book = models.priceBooks.get(models.defaults.priceBook.value)
  if (book?.gpuHour === undefined) throw new Error('the default price book has no GPU price')
  const gpuHour = book.gpuHour
  const catalogs = [...models.nodeCatalogs.values()]
  const splits = new Map<string, string[]>()
  for (const c of catalogs) {
    const key = `CPU ${c.priceSplit.cpuCoreHour}, RAM ${c.priceSplit.memoryGiBHour}`
    splits.set(key, [...(splits.get(key) ?? []), PROVIDER_NAME[c.provider] ?? c.provider])
  }
  const ratios = [...splits].map(([key, providers]) => `${key} for ${list(providers)}${providers.length > 1 ? ' alike' : ''}`).join('; ')
  const worked = (nodeType: string, region: string, pricingModel: 'onDemand' | 'commitment1Year') => {
    const known = models.nodeTypes.get(nodeType)
    const price = known?.nodeType.prices.find((p) => p.region === region)
    const hourly = pricingModel === 'onDemand' ? price?.hourly : price?.commitment1YearHourly
    if (known === undefined || hourly === undefined) throw new Error(`${nodeType} has no ${pricingModel} price in ${region}`)
    const { nodeType: n, nodeCatalog: c } = known
    const kubelet = n.memoryGiB * c.kubeletMemory.capacityFraction
    const gpus = n.gpu?.count ?? 0
    const denominator = n.vcpu * c.priceSplit.cpuCoreHour + kubelet * c.priceSplit.memoryGiBHour + gpus * gpuHour
    const k = hourly / denominator
    const answer = estimate({ pods: 10, meshes: ['istio'], cluster: { nodeType, region }, pricing: { model: pricingModel } }, models).assumptions.pricing
    if (Math.abs(answer.cpuCoreHour - c.priceSplit.cpuCoreHour * k) > 1e-9 || Math.abs(answer.memoryGiBHour - c.priceSplit.memoryGiBHour * k) > 1e-9) {
      throw new Error(`the worked split of ${nodeType} (${c.priceSplit.cpuCoreHour * k}) is not what the service answers (${answer.cpuCoreHour})`)
    }
    return { n, c, kubelet, gpus, hourly, denominator, k, withoutGpu: hourly / (n.vcpu * c.priceSplit.cpuCoreHour + kubelet * c.priceSplit.memoryGiBHour) * c.priceSplit.cpuCoreHour }
  }
  const p = (x: number, digits: number): string => String(Number(x.toPrecision(digits)))
  const a = worked('aws/m5.large', 'eu-west-1', 'commitment1Year')
  const g = worked('aws/g4dn.xlarge', 'us-east-1', 'onDemand')
  if (g.n.gpu === undefined) throw new Error('aws/g4dn.xlarge has no GPU')
  const gpuCount = g.gpus === 1 ? 'one' : String(g.gpus)
  return [
    'When unit prices come from the node price, the provider\'s CPU:RAM price ratio from OpenCost\'s configuration',
    `(\`priceSplit\` in the node catalogs; ${ratios}; a custom node takes the default sheet's) and the default sheet's GPU price (${gpuHour} per hour) are kept and scaled so that the node's`,
    'vCPUs, its memory as the kubelet reports it (see [models.md](models.md#cluster-shape-nodes-pod-slots-and-the-two-costs))',
    `and its GPUs cost the node price (OpenCost specification, appendix A). For \`${a.n.id}\` in eu-west-1 under a 1-year commitment, the kubelet reports ${a.n.memoryGiB} × ${a.c.kubeletMemory.capacityFraction} = ${p(a.kubelet, 6)} GiB:`,
    `k = ${a.hourly} / (${a.n.vcpu} × ${a.c.priceSplit.cpuCoreHour} + ${p(a.kubelet, 6)} × ${a.c.priceSplit.memoryGiBHour}) = ${a.hourly} / ${p(a.denominator, 6)} = ${p(a.k, 4)},`,
    `so a vCPU-hour costs ${a.c.priceSplit.cpuCoreHour} × k = ${p(a.c.priceSplit.cpuCoreHour * a.k, 4)} and a GiB-hour ${a.c.priceSplit.memoryGiBHour} × k = ${p(a.c.priceSplit.memoryGiBHour * a.k, 4)}.`,
    `On a GPU node the GPU takes its share first: \`${g.n.id}\` (${g.n.vcpu} vCPU, ${g.n.memoryGiB} × ${g.c.kubeletMemory.capacityFraction} = ${p(g.kubelet, 6)} GiB, ${gpuCount} ${g.n.gpu.model}, ${g.hourly} per hour)`,
    `gives k = ${g.hourly} / (${g.n.vcpu} × ${g.c.priceSplit.cpuCoreHour} + ${p(g.kubelet, 6)} × ${g.c.priceSplit.memoryGiBHour} + ${g.gpus === 1 ? '' : `${g.gpus} × `}${gpuHour}) = ${g.hourly} / ${p(g.denominator, 8)} and a`,
    `vCPU-hour of ${p(g.c.priceSplit.cpuCoreHour * g.k, 4)}, not the ${p(g.withoutGpu, 3)} a split without the GPU would charge a sidecar's CPU:`
  ].join('\n')
}

/**
 * docs/models.md's worked example: one Istio sidecar at 100 rps, by hand from the served model's figures (the model
 * file with models/fitted/ in place), then the service's own answer. Rendering fails if the two disagree.
 */
/** istio-proxy's served CPU model: the fitted idle base and slope per 1,000 rps, and its interval factors. */
function istioProxyCpu (models: Models) {
  const proxy = models.meshes.get('istio')?.components.find((c) => c.id === 'istio-proxy')
  const factors = proxy?.usage.intervals?.cpu
  const slopeTerm = proxy?.usage.scaling?.find((t) => t.per === 'thousandRequestsPerSecond')?.cpu
  if (proxy === undefined || factors?.slope === undefined || slopeTerm === undefined) throw new Error('istio-proxy has no fitted CPU interval and slope')
  return { proxy, factors: { ...factors, slope: factors.slope }, base: cpuCores(proxy.usage.cpu.expected), slope: cpuCores(slopeTerm.expected) }
}

function engineExample (models: Models): string {
  const request: EstimateRequest = { pods: 1, meshes: ['istio'], basis: 'usage', traffic: { requestsPerSecondPerPod: 100 } }
  const { proxy, factors, base, slope } = istioProxyCpu(models)
  const x = 100 / 1000
  const expected = base + slope * x
  const part = slope * x
  const s = factors.slope
  const highExcess = Math.hypot(base * (factors.high - 1), part * (s.high - 1))
  const lowExcess = Math.hypot(base * (1 - factors.low), part * (1 - s.low))
  const low = expected - lowExcess
  const high = expected + highExcess
  const answer = estimate(request, models).estimates[0]?.components.find((c) => c.id === 'istio-proxy')?.usage.cpuCores
  if (answer === undefined || [low, expected, high].some((v, i) => Math.abs(v - [answer.low, answer.expected, answer.high][i]!) > 1e-6)) {
    throw new Error(`the worked example (${low}, ${expected}, ${high}) is not what the service answers (${JSON.stringify(answer)})`)
  }
  const m = (cores: number): string => `${fmt(cores * 1000, 2)}m`
  return [
    '1. **Drivers.** 100 requests per second through the sidecar: x = 100 ÷ 1,000 = 0.1 thousand.',
    `2. **Expected.** The Envoy engine's fitted idle base, ${m(base)}, plus its slope, ${fmt(slope, 4)} cores per 1,000 rps (\`models/fitted/istio.yaml\`, with Istio's adjustment), times 0.1: ${m(base)} + ${m(slope * x)} = **${m(expected)}**.`,
    `3. **Each part's spread.** The idle base's factors are ×${factors.low} to ×${factors.high}, the slope's ×${s.low} to ×${s.high} (5th and 95th percentiles of Envoy's held-out errors where each part carried the prediction). Above the expected value: the base ${m(base)} × ${fmt(factors.high - 1, 3)} = ${m(base * (factors.high - 1))} and the slope's ${m(part)} × ${fmt(s.high - 1, 3)} = ${m(part * (s.high - 1))}; below it: ${m(base * (1 - factors.low))} and ${m(part * (1 - s.low))}.`,
    `4. **Range.** The two parts' errors are independent, so they add in quadrature: high = ${m(expected)} + √(${m(base * (factors.high - 1))}² + ${m(part * (s.high - 1))}²) = **${m(high)}**; low = ${m(expected)} − √(${m(base * (1 - factors.low))}² + ${m(part * (1 - s.low))}²) = **${m(low)}**.`,
    `5. **Ceilings.** The chart's limit (${proxy.limits?.cpu ?? 'none'}) and the node's allocatable are far above ${m(high)}: nothing is cut.`,
    '',
    ...curl('/estimate', request),
    `The service answers ${m(answer.low)} / ${m(answer.expected)} / ${m(answer.high)} for \`istio-proxy\`'s \`usage.cpuCores\`.`
  ].join('\n')
}

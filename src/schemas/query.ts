// GET /estimate: the POST /estimate scenario as flat query parameters, for dashboards (Grafana's Infinity
// data source), spreadsheets' URL import and the command line. One parameter per body field, the same limits
// (the schemas below are the body's own, reused), mapped onto the same EstimateRequest.
import { Type, type Static } from 'typebox'
import { EstimateRequest, LIMITS, View, type NodePool as NodePoolIn } from './estimate.js'
import { DomainError } from '../errors.js'
import { ID_PATTERN } from '../models/schema.js'

const body = EstimateRequest.properties
const cluster = body.cluster.properties
const node = cluster.node.properties
const pricing = body.pricing.properties
const options = body.options.properties
const workload = body.workload.properties
const podRequests = workload.podRequests.properties
const proxyRequests = options.proxyRequests.properties

export const Format = Type.Union([Type.Literal('json'), Type.Literal('csv')], {
  description: 'json (default) or csv; `Accept: text/csv` does the same as csv'
})
export type Format = Static<typeof Format>

export const CsvRows = Type.Union([Type.Literal('component'), Type.Literal('resource')], {
  description: 'CSV rows: one per mesh and component (default), or one per mesh, component and priced resource (CPU, memory), with x_PricingQuantity, x_PricingUnit and x_UnitPrice (docs/integrations.md lists every column)'
})
export type CsvRows = Static<typeof CsvRows>

export const FormatQuery = Type.Object({ format: Type.Optional(Format), rows: Type.Optional(CsvRows), view: Type.Optional(View) }, { additionalProperties: false })

// One pool of ?nodePools=: nodeType[@region][:count[-maxCount]][:pricingModel[:discountPercent]]
const POOL = '[a-z]+/[A-Za-z0-9._-]+(@[a-z0-9-]{2,32})?(:([0-9]{1,6}(-[0-9]{1,6})?)?(:(onDemand|spot|commitment1Year|commitment3Year)(:[0-9]{1,2}(\\.[0-9]{1,6})?)?)?)?'

export const EstimateQuery = Type.Object({
  pods: Type.Integer({ ...body.pods, examples: [100] }),
  meshes: Type.Optional(Type.String({
    pattern: `^${ID_PATTERN}(,${ID_PATTERN}){0,${LIMITS.meshes - 1}}$`,
    description: 'comma list of mesh ids from GET /meshes (or the parameter repeated); default: every shipped model',
    examples: ['istio,linkerd,cilium']
  })),
  basis: Type.Optional(body.basis),
  requestsPerSecondPerPod: Type.Optional(Type.Number({ ...body.traffic.properties.requestsPerSecondPerPod })),
  requestsPerSecond: Type.Optional(Type.Number({ ...body.traffic.properties.requestsPerSecond })),
  distribution: Type.Optional(body.traffic.properties.distribution),
  hopsPerRequest: Type.Optional(Type.Integer({ ...body.traffic.properties.hopsPerRequest })),
  activeConnectionsPerPod: Type.Optional(Type.Integer({ ...body.traffic.properties.activeConnectionsPerPod })),
  podChurnPerMinute: Type.Optional(Type.Number({ ...workload.podChurnPerMinute })),
  servicesVisibleWhenScoped: Type.Optional(Type.Integer({ ...workload.servicesVisibleWhenScoped })),
  waypoints: Type.Optional(Type.Integer({ ...workload.waypoints })),
  clusterPods: Type.Optional(Type.Integer({ ...workload.clusterPods })),
  sidecarScoping: Type.Optional(Type.Boolean({ ...options.sidecarScoping })),
  baseline: Type.Optional(Type.String({ ...body.baseline })),
  services: Type.Optional(Type.Integer({ ...workload.services })),
  podCpuCores: Type.Optional(Type.Number({ ...podRequests.cpuCores, description: 'CPU request of one application pod, cores (default 0.5); give podMemoryGiB with it' })),
  podMemoryGiB: Type.Optional(Type.Number({ ...podRequests.memoryGiB, description: 'memory request of one application pod, GiB (default 2); give podCpuCores with it' })),
  nodes: Type.Optional(Type.Integer({ ...cluster.nodes })),
  nodePools: Type.Optional(Type.String({
    pattern: `^${POOL}(,${POOL}){0,${LIMITS.nodePools - 1}}$`,
    description: 'cluster.nodePools as a comma list of pools, each `nodeType[@region][:count[-maxCount]][:pricingModel[:discountPercent]]` (count may be left empty: `aws/m7g.xlarge::spot:60`); a pool\'s name is its node type. Names, network modes and custom nodes of pools are POST-only. Excludes nodeType, region, networkMode, nodes and the custom node',
    examples: ['aws/m5.large@us-east-1:3,aws/m7g.xlarge@us-east-1:5:spot:60']
  })),
  cni: Type.Optional(cluster.cni),
  nodeType: Type.Optional(Type.String({ ...cluster.nodeType })),
  region: Type.Optional(Type.String({ ...cluster.region })),
  networkMode: Type.Optional(Type.String({ ...cluster.networkMode })),
  nodeVcpu: Type.Optional(Type.Number({ ...node.vcpu, description: 'a custom node (cluster.node.vcpu): vCPUs; give nodeMemoryGiB and nodeMaxPods with it' })),
  nodeMemoryGiB: Type.Optional(Type.Number({ ...node.memoryGiB, description: 'a custom node (cluster.node.memoryGiB): memory, GiB' })),
  nodeMaxPods: Type.Optional(Type.Integer({ ...node.maxPods, description: 'a custom node (cluster.node.maxPods): max pods' })),
  nodeHourlyPrice: Type.Optional(Type.Number({ ...node.hourlyPrice, description: 'a custom node (cluster.node.hourlyPrice): price per node-hour' })),
  highAvailability: Type.Optional(Type.Boolean({ ...options.highAvailability })),
  observability: Type.Optional(Type.Boolean({ ...options.observability })),
  proxyCpuCores: Type.Optional(Type.Number({ ...proxyRequests.cpuCores, description: 'options.proxyRequests.cpuCores: CPU request of every mesh\'s data-plane proxy, cores (default: each chart\'s)' })),
  proxyMemoryGiB: Type.Optional(Type.Number({ ...proxyRequests.memoryGiB, description: 'options.proxyRequests.memoryGiB: memory request of every mesh\'s data-plane proxy, GiB (default: each chart\'s)' })),
  book: Type.Optional(Type.String({ ...pricing.book })),
  currency: Type.Optional(Type.String({ ...pricing.currency })),
  cpuCoreHour: Type.Optional(Type.Number({ ...pricing.cpuCoreHour })),
  memoryGiBHour: Type.Optional(Type.Number({ ...pricing.memoryGiBHour })),
  pricingModel: Type.Optional(pricing.model),
  discountPercent: Type.Optional(Type.Number({ ...pricing.discountPercent })),
  format: Type.Optional(Format),
  rows: Type.Optional(CsvRows),
  view: Type.Optional(View)
}, { additionalProperties: false })
export type EstimateQuery = Static<typeof EstimateQuery>

/**
 * Each query parameter and the body field it stands for: the one table that maps URLs to bodies, bodies to
 * URLs and body error pointers to parameters. `meshes` and `nodePools` (comma lists) and `format`/`rows`/`view` are handled apart.
 */
export const FIELDS: ReadonlyArray<readonly [Exclude<keyof EstimateQuery, 'meshes' | 'nodePools' | 'format' | 'rows' | 'view'>, readonly string[]]> = [
  ['pods', ['pods']],
  ['basis', ['basis']],
  ['baseline', ['baseline']],
  ['requestsPerSecondPerPod', ['traffic', 'requestsPerSecondPerPod']],
  ['requestsPerSecond', ['traffic', 'requestsPerSecond']],
  ['distribution', ['traffic', 'distribution']],
  ['hopsPerRequest', ['traffic', 'hopsPerRequest']],
  ['activeConnectionsPerPod', ['traffic', 'activeConnectionsPerPod']],
  ['podChurnPerMinute', ['workload', 'podChurnPerMinute']],
  ['services', ['workload', 'services']],
  ['servicesVisibleWhenScoped', ['workload', 'servicesVisibleWhenScoped']],
  ['waypoints', ['workload', 'waypoints']],
  ['clusterPods', ['workload', 'clusterPods']],
  ['podCpuCores', ['workload', 'podRequests', 'cpuCores']],
  ['podMemoryGiB', ['workload', 'podRequests', 'memoryGiB']],
  ['nodes', ['cluster', 'nodes']],
  ['cni', ['cluster', 'cni']],
  ['nodeType', ['cluster', 'nodeType']],
  ['region', ['cluster', 'region']],
  ['networkMode', ['cluster', 'networkMode']],
  ['nodeVcpu', ['cluster', 'node', 'vcpu']],
  ['nodeMemoryGiB', ['cluster', 'node', 'memoryGiB']],
  ['nodeMaxPods', ['cluster', 'node', 'maxPods']],
  ['nodeHourlyPrice', ['cluster', 'node', 'hourlyPrice']],
  ['highAvailability', ['options', 'highAvailability']],
  ['observability', ['options', 'observability']],
  ['sidecarScoping', ['options', 'sidecarScoping']],
  ['proxyCpuCores', ['options', 'proxyRequests', 'cpuCores']],
  ['proxyMemoryGiB', ['options', 'proxyRequests', 'memoryGiB']],
  ['book', ['pricing', 'book']],
  ['currency', ['pricing', 'currency']],
  ['cpuCoreHour', ['pricing', 'cpuCoreHour']],
  ['memoryGiBHour', ['pricing', 'memoryGiBHour']],
  ['pricingModel', ['pricing', 'model']],
  ['discountPercent', ['pricing', 'discountPercent']]
]

/** Body fields with no query parameter: an OpenCost price sheet is a JSON document, sent in a POST body. */
export const BODY_ONLY: readonly string[] = ['pricing.sheet']

/** ?nodePools= → cluster.nodePools (the pattern has checked the grammar; the limits are checked here). */
function parseNodePools (value: string, errors: Array<{ pointer: string, detail: string }>): NodePoolIn[] {
  return value.split(',').map((text) => {
    const [head = '', count = '', model = '', discount = ''] = text.split(':')
    const [nodeType = '', region] = head.split('@')
    const [min = '', max = ''] = count.split('-')
    for (const n of [min, max]) {
      if (n !== '' && Number(n) > LIMITS.nodes) errors.push({ pointer: '/nodePools', detail: `${text}: a pool's count and maxCount must be <= ${LIMITS.nodes}` })
    }
    const pricing = model === '' ? undefined : { model: model as NonNullable<NodePoolIn['pricing']>['model'], ...(discount === '' ? {} : { discountPercent: Number(discount) }) }
    return {
      nodeType,
      ...(region === undefined ? {} : { region }),
      ...(min === '' ? {} : { count: Number(min) }),
      ...(max === '' ? {} : { maxCount: Number(max) }),
      ...(pricing === undefined ? {} : { pricing })
    }
  })
}

/** cluster.nodePools → ?nodePools=, for the pools the query grammar can say (no names, network modes or custom nodes). */
function nodePoolsQuery (pools: readonly NodePoolIn[]): string {
  return pools.map((p) => {
    const count = p.count === undefined && p.maxCount === undefined ? '' : `${p.count ?? ''}${p.maxCount === undefined ? '' : `-${p.maxCount}`}`
    const pricing = p.pricing?.model === undefined ? '' : `:${p.pricing.model}${p.pricing.discountPercent === undefined ? '' : `:${p.pricing.discountPercent}`}`
    return `${p.nodeType ?? ''}${p.region === undefined ? '' : `@${p.region}`}${count === '' && pricing === '' ? '' : `:${count}`}${pricing}`
  }).join(',')
}

/** Body pointers that name a group, not a field: the group's first parameter stands for it. */
const GROUPS: Record<string, string> = {
  '/workload/podRequests': '/podCpuCores',
  '/cluster/node': '/nodeVcpu',
  '/options/proxyRequests': '/proxyCpuCores'
}
const BY_POINTER = new Map(FIELDS.map(([param, path]) => [`/${path.join('/')}`, `/${param}`]))

/** The query parameter (as a JSON pointer into the query object) that a body pointer stands for. */
export function queryPointer (bodyPointer: string): string {
  if (/^\/meshes(\/\d+)?$/.test(bodyPointer)) return '/meshes'
  if (bodyPointer.startsWith('/cluster/nodePools')) return '/nodePools'
  return BY_POINTER.get(bodyPointer) ?? GROUPS[bodyPointer] ?? bodyPointer
}

/** Parameters that only make sense together: give one, give all. */
const TOGETHER: Array<Array<keyof EstimateQuery>> = [
  ['podCpuCores', 'podMemoryGiB'],
  ['nodeVcpu', 'nodeMemoryGiB', 'nodeMaxPods']
]

type Tree = Record<string, unknown>

function setPath (target: Tree, path: readonly string[], value: unknown): void {
  let at = target
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Tree
  at[path[path.length - 1] as string] = value
}

function getPath (source: unknown, path: readonly string[]): unknown {
  let at = source
  for (const key of path) at = at === null || typeof at !== 'object' ? undefined : (at as Tree)[key]
  return at
}

/** Validated query parameters → the POST /estimate body that means the same. Throws a 400 DomainError on a half-given group. */
export function queryToRequest (q: EstimateQuery): EstimateRequest {
  const errors: Array<{ pointer: string, detail: string }> = []
  for (const group of TOGETHER) {
    const given = group.filter((k) => q[k] !== undefined)
    if (given.length > 0 && given.length < group.length) {
      for (const k of group.filter((k) => q[k] === undefined)) errors.push({ pointer: `/${k}`, detail: `is required with ${given.join(' and ')}` })
    }
  }
  if (q.nodeHourlyPrice !== undefined && q.nodeVcpu === undefined) {
    errors.push({ pointer: '/nodeHourlyPrice', detail: 'applies to a custom node: give nodeVcpu, nodeMemoryGiB and nodeMaxPods with it' })
  }
  let meshes: string[] | undefined
  if (q.meshes !== undefined) {
    meshes = q.meshes.split(',')
    if (new Set(meshes).size !== meshes.length) errors.push({ pointer: '/meshes', detail: 'must NOT have duplicate items' })
  }
  const nodePools = q.nodePools === undefined ? undefined : parseNodePools(q.nodePools, errors)
  if (errors.length > 0) throw DomainError.invalid('request query string', errors)

  const request: Tree = {}
  if (meshes !== undefined) request.meshes = meshes
  if (nodePools !== undefined) setPath(request, ['cluster', 'nodePools'], nodePools)
  for (const [param, path] of FIELDS) if (q[param] !== undefined) setPath(request, path, q[param])
  return request as EstimateRequest
}

/** The query parameters that mean the same as a body (the client and the command line build GET URLs with it). */
export function requestToQuery (r: EstimateRequest): Record<string, string> {
  const q: Record<string, string> = {}
  for (const [param, path] of FIELDS) {
    const value = getPath(r, path)
    if (value !== undefined) q[param] = String(value)
    if (param === 'pods' && r.meshes !== undefined) q.meshes = r.meshes.join(',') // keep the URL's usual order
    if (param === 'nodes' && r.cluster?.nodePools !== undefined) q.nodePools = nodePoolsQuery(r.cluster.nodePools)
  }
  return q
}

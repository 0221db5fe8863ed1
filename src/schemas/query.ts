// GET /estimate: the POST /estimate scenario as flat query parameters, for dashboards (Grafana's Infinity
// data source), spreadsheets' URL import and the command line. One parameter per body field, the same limits
// (the schemas below are the body's own, reused), mapped onto the same EstimateRequest.
import { Type, type Static } from 'typebox'
import { EstimateRequest, LIMITS } from './estimate.js'

const body = EstimateRequest.properties
const cluster = body.cluster.properties
const node = cluster.node.properties
const pricing = body.pricing.properties
const options = body.options.properties
const workload = body.workload.properties
const podRequests = workload.podRequests.properties

const ID = '[a-z0-9][a-z0-9-]{0,63}'

export const Format = Type.Union([Type.Literal('json'), Type.Literal('csv')], {
  description: 'json (default) or csv; `Accept: text/csv` does the same as csv'
})
export type Format = Static<typeof Format>

export const CsvRows = Type.Union([Type.Literal('component'), Type.Literal('resource')], {
  description: 'CSV rows: one per mesh and component (default), or one per mesh, component and priced resource (CPU, memory), with FOCUS PricingQuantity, PricingUnit and ListUnitPrice'
})
export type CsvRows = Static<typeof CsvRows>

export const FormatQuery = Type.Object({ format: Type.Optional(Format), rows: Type.Optional(CsvRows) }, { additionalProperties: false })

export const EstimateQuery = Type.Object({
  pods: Type.Integer({ ...body.pods, examples: [100] }),
  meshes: Type.Optional(Type.String({
    pattern: `^${ID}(,${ID}){0,${LIMITS.meshes - 1}}$`,
    description: 'comma list of mesh ids from GET /meshes (or the parameter repeated); default: every shipped model',
    examples: ['istio,linkerd,cilium']
  })),
  basis: Type.Optional(body.basis),
  requestsPerSecondPerPod: Type.Optional(Type.Number({ ...body.traffic.properties.requestsPerSecondPerPod })),
  requestsPerSecond: Type.Optional(Type.Number({ ...body.traffic.properties.requestsPerSecond })),
  distribution: Type.Optional(body.traffic.properties.distribution),
  hopsPerRequest: Type.Optional(Type.Integer({ ...body.traffic.properties.hopsPerRequest })),
  servicesVisibleWhenScoped: Type.Optional(Type.Integer({ ...workload.servicesVisibleWhenScoped })),
  sidecarScoping: Type.Optional(Type.Boolean({ ...options.sidecarScoping })),
  baseline: Type.Optional(Type.String({ ...body.baseline })),
  services: Type.Optional(Type.Integer({ ...workload.services })),
  podCpuCores: Type.Optional(Type.Number({ ...podRequests.cpuCores, description: 'CPU request of one application pod, cores (default 0.5); give podMemoryGiB with it' })),
  podMemoryGiB: Type.Optional(Type.Number({ ...podRequests.memoryGiB, description: 'memory request of one application pod, GiB (default 2); give podCpuCores with it' })),
  nodes: Type.Optional(Type.Integer({ ...cluster.nodes })),
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
  book: Type.Optional(Type.String({ ...pricing.book })),
  currency: Type.Optional(Type.String({ ...pricing.currency })),
  cpuCoreHour: Type.Optional(Type.Number({ ...pricing.cpuCoreHour })),
  memoryGiBHour: Type.Optional(Type.Number({ ...pricing.memoryGiBHour })),
  format: Type.Optional(Format),
  rows: Type.Optional(CsvRows)
}, { additionalProperties: false })
export type EstimateQuery = Static<typeof EstimateQuery>

/** Body pointer → query parameter, for errors the engine reports against the POST body's shape. */
const POINTERS: Array<[RegExp, string]> = [
  [/^\/meshes(\/\d+)?$/, '/meshes'],
  [/^\/traffic\/(requestsPerSecondPerPod|requestsPerSecond|distribution|hopsPerRequest)$/, '/$1'],
  [/^\/workload\/(services|servicesVisibleWhenScoped)$/, '/$1'],
  [/^\/workload\/podRequests(\/cpuCores)?$/, '/podCpuCores'],
  [/^\/workload\/podRequests\/memoryGiB$/, '/podMemoryGiB'],
  [/^\/cluster\/node$/, '/nodeVcpu'],
  [/^\/cluster\/node\/(vcpu|memoryGiB|maxPods|hourlyPrice)$/, '/node$1'],
  [/^\/cluster\/(nodes|cni|nodeType|region|networkMode)$/, '/$1'],
  [/^\/options\/(highAvailability|observability|sidecarScoping)$/, '/$1'],
  [/^\/pricing\/(book|currency|cpuCoreHour|memoryGiBHour)$/, '/$1']
]

/** The query parameter (as a JSON pointer into the query object) that a body pointer stands for. */
export function queryPointer (bodyPointer: string): string {
  for (const [pattern, replacement] of POINTERS) {
    if (pattern.test(bodyPointer)) {
      const mapped = bodyPointer.replace(pattern, replacement)
      return mapped.replace(/^\/node(vcpu|memoryGiB|maxPods|hourlyPrice)$/, (_m, f: string) => `/node${f[0]?.toUpperCase()}${f.slice(1)}`)
    }
  }
  return bodyPointer
}

export class QueryError extends Error {
  constructor (readonly errors: Array<{ pointer: string, detail: string }>) {
    super(errors.map((e) => `${e.pointer} ${e.detail}`).join('; '))
    this.name = 'QueryError'
  }
}

/** Parameters that only make sense together: give one, give all. */
const TOGETHER: Array<Array<keyof EstimateQuery>> = [
  ['podCpuCores', 'podMemoryGiB'],
  ['nodeVcpu', 'nodeMemoryGiB', 'nodeMaxPods']
]

/** Validated query parameters → the POST /estimate body that means the same. Throws QueryError on a half-given group. */
export function queryToRequest (q: EstimateQuery): EstimateRequest {
  const errors: Array<{ pointer: string, detail: string }> = []
  for (const group of TOGETHER) {
    const given = group.filter((k) => q[k] !== undefined)
    if (given.length > 0 && given.length < group.length) {
      for (const k of group.filter((k) => q[k] === undefined)) errors.push({ pointer: `/${k}`, detail: `is required with ${given.join(' and ')}` })
    }
  }
  const hourly = q.nodeHourlyPrice !== undefined && q.nodeVcpu === undefined
  if (hourly) errors.push({ pointer: '/nodeHourlyPrice', detail: 'applies to a custom node: give nodeVcpu, nodeMemoryGiB and nodeMaxPods with it' })
  let meshes: string[] | undefined
  if (q.meshes !== undefined) {
    meshes = q.meshes.split(',')
    if (new Set(meshes).size !== meshes.length) errors.push({ pointer: '/meshes', detail: 'must NOT have duplicate items' })
  }
  if (errors.length > 0) throw new QueryError(errors)

  const request: EstimateRequest = { pods: q.pods }
  if (meshes !== undefined) request.meshes = meshes
  if (q.basis !== undefined) request.basis = q.basis
  if (q.baseline !== undefined) request.baseline = q.baseline
  const traffic: NonNullable<EstimateRequest['traffic']> = {}
  if (q.requestsPerSecondPerPod !== undefined) traffic.requestsPerSecondPerPod = q.requestsPerSecondPerPod
  if (q.requestsPerSecond !== undefined) traffic.requestsPerSecond = q.requestsPerSecond
  if (q.distribution !== undefined) traffic.distribution = q.distribution
  if (q.hopsPerRequest !== undefined) traffic.hopsPerRequest = q.hopsPerRequest
  if (Object.keys(traffic).length > 0) request.traffic = traffic
  if (q.services !== undefined || q.servicesVisibleWhenScoped !== undefined || q.podCpuCores !== undefined) {
    request.workload = {}
    if (q.services !== undefined) request.workload.services = q.services
    if (q.servicesVisibleWhenScoped !== undefined) request.workload.servicesVisibleWhenScoped = q.servicesVisibleWhenScoped
    if (q.podCpuCores !== undefined && q.podMemoryGiB !== undefined) request.workload.podRequests = { cpuCores: q.podCpuCores, memoryGiB: q.podMemoryGiB }
  }
  const c: NonNullable<EstimateRequest['cluster']> = {}
  if (q.nodes !== undefined) c.nodes = q.nodes
  if (q.cni !== undefined) c.cni = q.cni
  if (q.nodeType !== undefined) c.nodeType = q.nodeType
  if (q.region !== undefined) c.region = q.region
  if (q.networkMode !== undefined) c.networkMode = q.networkMode
  if (q.nodeVcpu !== undefined && q.nodeMemoryGiB !== undefined && q.nodeMaxPods !== undefined) {
    c.node = { vcpu: q.nodeVcpu, memoryGiB: q.nodeMemoryGiB, maxPods: q.nodeMaxPods }
    if (q.nodeHourlyPrice !== undefined) c.node.hourlyPrice = q.nodeHourlyPrice
  }
  if (Object.keys(c).length > 0) request.cluster = c
  if (q.highAvailability !== undefined || q.observability !== undefined || q.sidecarScoping !== undefined) {
    request.options = {}
    if (q.highAvailability !== undefined) request.options.highAvailability = q.highAvailability
    if (q.observability !== undefined) request.options.observability = q.observability
    if (q.sidecarScoping !== undefined) request.options.sidecarScoping = q.sidecarScoping
  }
  const p: NonNullable<EstimateRequest['pricing']> = {}
  if (q.book !== undefined) p.book = q.book
  if (q.currency !== undefined) p.currency = q.currency
  if (q.cpuCoreHour !== undefined) p.cpuCoreHour = q.cpuCoreHour
  if (q.memoryGiBHour !== undefined) p.memoryGiBHour = q.memoryGiBHour
  if (Object.keys(p).length > 0) request.pricing = p
  return request
}

/** The query parameters that mean the same as a body (the client and the command line build GET URLs with it). */
export function requestToQuery (r: EstimateRequest): Record<string, string> {
  const q: Record<string, string | number | boolean | undefined> = {
    pods: r.pods,
    meshes: r.meshes?.join(','),
    basis: r.basis,
    requestsPerSecondPerPod: r.traffic?.requestsPerSecondPerPod,
    requestsPerSecond: r.traffic?.requestsPerSecond,
    distribution: r.traffic?.distribution,
    hopsPerRequest: r.traffic?.hopsPerRequest,
    services: r.workload?.services,
    servicesVisibleWhenScoped: r.workload?.servicesVisibleWhenScoped,
    sidecarScoping: r.options?.sidecarScoping,
    baseline: r.baseline,
    podCpuCores: r.workload?.podRequests?.cpuCores,
    podMemoryGiB: r.workload?.podRequests?.memoryGiB,
    nodes: r.cluster?.nodes,
    cni: r.cluster?.cni,
    nodeType: r.cluster?.nodeType,
    region: r.cluster?.region,
    networkMode: r.cluster?.networkMode,
    nodeVcpu: r.cluster?.node?.vcpu,
    nodeMemoryGiB: r.cluster?.node?.memoryGiB,
    nodeMaxPods: r.cluster?.node?.maxPods,
    nodeHourlyPrice: r.cluster?.node?.hourlyPrice,
    highAvailability: r.options?.highAvailability,
    observability: r.options?.observability,
    book: r.pricing?.book,
    currency: r.pricing?.currency,
    cpuCoreHour: r.pricing?.cpuCoreHour,
    memoryGiBHour: r.pricing?.memoryGiBHour
  }
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))
}

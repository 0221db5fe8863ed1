// The shape of models/evidence/*.yaml: published measurements of mesh components, one file per source.
// The contract with the fit is EVIDENCE-CONTRACT.md; docs/models.md ("Evidence") describes the records.
import { Type, type Static } from 'typebox'
import { strict, Id, Text } from './common-schema.js'

export const EvidenceParty = Type.Union([
  Type.Literal('project'), // the mesh's own project or vendor
  Type.Literal('competitor'), // a rival mesh's vendor
  Type.Literal('independent')
])

export const EvidenceStatistic = Type.Union([
  Type.Literal('mean'), Type.Literal('median'), Type.Literal('p90'), Type.Literal('p99'), Type.Literal('max')
])

export const EvidenceSetup = Type.Object({
  nodeType: Type.Optional(Text),
  nodes: Type.Optional(Type.Integer({ minimum: 1 })),
  pods: Type.Optional(Type.Integer({ minimum: 0, description: 'application pods in the meshed app' })),
  proxies: Type.Optional(Type.Integer({ minimum: 0, description: 'proxies connected to the control plane' })),
  services: Type.Optional(Type.Integer({ minimum: 0 })),
  requestsPerSecond: Type.Optional(Type.Number({ minimum: 0, description: 'through ONE replica of the measured component; 0 when idle' })),
  payloadBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  protocol: Type.Optional(Type.Union([Type.Literal('http1'), Type.Literal('http2'), Type.Literal('grpc'), Type.Literal('tcp')])),
  concurrency: Type.Optional(Type.Integer({ minimum: 1, description: 'client connections' })),
  connections: Type.Optional(Type.Integer({ minimum: 0, description: 'connections held open through ONE replica of the measured component (downstream and upstream together), as the source states them' })),
  visibleServices: Type.Optional(Type.Integer({ minimum: 0, description: 'services (Envoy clusters) in ONE proxy\'s configuration, when the source states it' })),
  visibleEndpoints: Type.Optional(Type.Integer({ minimum: 0, description: 'endpoints in ONE proxy\'s configuration, when the source states it' })),
  podChurnPerMinute: Type.Optional(Type.Number({ minimum: 0, description: 'pods created or deleted per minute in the cluster while measured; 0 when the source says there was none' })),
  identities: Type.Optional(Type.Integer({ minimum: 0, description: 'security identities (Cilium) in the cluster' })),
  mtls: Type.Optional(Type.Boolean())
}, strict)

export const EvidenceRecord = Type.Object({
  id: Id,
  /** A modelled mesh (models/meshes/<mesh>.yaml), or the product that ran the engine outside one (envoy-gateway, osm, ...). */
  mesh: Id,
  meshVersion: Text,
  /** A component of the mesh's model, or the measured program's own name outside one. */
  component: Id,
  /** The proxy or program that ran (envoy, linkerd2-proxy, ztunnel, ...): the unit of the fit. A modelled component's own by default; required outside the models. */
  engine: Type.Optional(Id),
  /** When the figure sums several components (a whole control plane): all of them; `component` is where it is filed. */
  covers: Type.Optional(Type.Array(Id, { minItems: 2, uniqueItems: true })),
  /**
   * The defect the figure measures, when its source reports it as one: a crash, an eviction, a leak, a storm or a
   * regression the project acknowledged or fixed, not the component's working cost. Such a figure never sets a fit
   * or an interval; GET /validation predicts it and tallies it apart (src/engine/fit.ts, rule 9).
   */
  fault: Type.Optional(Type.String({ minLength: 1, description: 'the defect this figure measures, and where it was fixed or acknowledged' })),
  party: EvidenceParty,
  setup: EvidenceSetup,
  statistic: EvidenceStatistic,
  cpuCores: Type.Optional(Type.Number({ minimum: 0, description: 'measured CPU of ONE replica, in cores' })),
  memoryMiB: Type.Optional(Type.Number({ minimum: 0, description: 'measured memory (working set / RSS) of ONE replica, in MiB' })),
  note: Type.String({ minLength: 1, description: 'where each figure was read, and any conversion' })
}, strict)

export const EvidenceSourceInfo = Type.Object({
  id: Id,
  title: Text,
  url: Text,
  repository: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' })),
  path: Type.Optional(Text),
  commit: Type.Optional(Type.String({ pattern: '^[0-9a-f]{7,40}$' })),
  published: Type.String({ pattern: '^\\d{4}-\\d{2}(-\\d{2})?$', description: 'YYYY-MM-DD, or YYYY-MM when no day is given' }),
  ranBy: Text,
  note: Type.Optional(Text)
}, strict)

export const EvidenceFile = Type.Object({
  schemaVersion: Type.Literal(1),
  source: EvidenceSourceInfo,
  records: Type.Array(EvidenceRecord, { minItems: 1 })
}, strict)

export type EvidenceFile = Static<typeof EvidenceFile>
export type EvidenceRecord = Static<typeof EvidenceRecord>
export type EvidenceSetup = Static<typeof EvidenceSetup>

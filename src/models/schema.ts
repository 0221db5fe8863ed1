// The shape of every data file in models/. Validated once at start-up; see load.ts.
import { Type, type Static } from 'typebox'

const strict = { additionalProperties: false } as const

/** Kubernetes CPU quantity, as the charts write it: "100m", "0.2", "2". */
export const CpuQuantity = Type.String({
  pattern: '^[0-9]+(\\.[0-9]+)?m?$',
  description: 'Kubernetes CPU quantity: cores ("0.2") or millicores ("100m")'
})

/** Kubernetes memory quantity: "128Mi" (binary) or "60M" (decimal, as benchmarks report MB). */
export const MemoryQuantity = Type.String({
  pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|k|M|G)?$',
  description: 'Kubernetes memory quantity: "128Mi" (2^20 bytes) or "60M" (10^6 bytes, as benchmarks write MB)'
})

/** Ids of entries in the file's `sources` map. Every figure names at least one. */
export const SourceRefs = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })

export const SourceKind = Type.Union([
  Type.Literal('default'), // chart or profile default: what the scheduler reserves
  Type.Literal('measured-official'), // the project's own benchmark
  Type.Literal('measured-vendor'), // a competing vendor's benchmark
  Type.Literal('measured-third-party'), // independent benchmark
  Type.Literal('anecdotal'), // a user's report in an issue thread
  Type.Literal('assumption') // no public figure: our reasoning, stated
])

export const Source = Type.Object({
  title: Type.String({ minLength: 1 }),
  kind: SourceKind,
  url: Type.Optional(Type.String({ minLength: 1, description: 'URL, or repository and path at a tag' })),
  version: Type.Optional(Type.String({ minLength: 1, description: 'mesh or document version the figure applies to' })),
  conditions: Type.Optional(Type.String({ minLength: 1, description: 'how it was measured' })),
  retrieved: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  reasoning: Type.Optional(Type.String({ minLength: 1, description: 'why, for assumptions and choices between conflicting sources' }))
}, strict)

const range = <T extends typeof CpuQuantity | typeof MemoryQuantity>(quantity: T) => Type.Object({
  low: quantity,
  expected: quantity,
  high: quantity,
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

export const CpuRange = range(CpuQuantity)
export const MemoryRange = range(MemoryQuantity)

/** What a usage term is multiplied by. */
export const ScalingDriver = Type.Union([
  Type.Literal('thousandRequestsPerSecond'), // requests per second through one replica, / 1000
  Type.Literal('visibleService'), // services whose config the proxy holds
  Type.Literal('visibleEndpoint'), // endpoints (pods) whose config the proxy holds
  Type.Literal('meshedPod'), // meshed pods in the cluster (control planes, node agents)
  Type.Literal('meshedPodPerReplica'), // meshed pods whose proxies one replica serves: meshed pods / replicas
  Type.Literal('clusterPod') // all pods in the cluster
])

export const ScalingTerm = Type.Object({
  per: ScalingDriver,
  cpu: Type.Optional(CpuRange),
  memory: Type.Optional(MemoryRange)
}, strict)

export const Requests = Type.Object({
  cpu: CpuQuantity,
  memory: MemoryQuantity,
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

export const Usage = Type.Object({
  cpu: CpuRange,
  memory: MemoryRange,
  scaling: Type.Optional(Type.Array(ScalingTerm))
}, strict)

export const Scope = Type.Union([
  Type.Literal('perPod'), // a sidecar container in every meshed pod
  Type.Literal('perNode'), // a DaemonSet pod on every node
  Type.Literal('cluster') // a Deployment: control plane, gateway or add-on
])

export const Role = Type.Union([
  Type.Literal('data-plane'),
  Type.Literal('control-plane'),
  Type.Literal('gateway'),
  Type.Literal('cni'),
  Type.Literal('observability')
])

export const Component = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  name: Type.String({ minLength: 1 }),
  scope: Scope,
  role: Role,
  /** Only counted when the scenario turns this option on. */
  enabledBy: Type.Optional(Type.Union([Type.Literal('observability')])),
  /** Already running, so not new overhead, when the cluster's CNI is this one. */
  providedByCni: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Which requests pass through it. Sidecars and node proxies see each request twice in all (the client's
   * proxy outbound, the server's inbound): the pods' requestsPerSecondPerPod. A waypoint sees each request
   * once: half of that sum, shared among its replicas.
   */
  traffic: Type.Optional(Type.Literal('eachRequestOnce')),
  replicas: Type.Optional(Type.Object({
    default: Type.Integer({ minimum: 1 }),
    highAvailability: Type.Integer({ minimum: 1 }),
    /** Replicas never share a node: the chart sets required pod anti-affinity by hostname. */
    antiAffinity: Type.Optional(Type.Boolean()),
    /** One Deployment per waypoint: replicas are multiplied by the scenario's workload.waypoints. */
    perWaypoint: Type.Optional(Type.Boolean()),
    /**
     * The chart's HorizontalPodAutoscaler: replicas grow from the default (or HA) count until one replica's
     * expected CPU is at most targetCpuUtilizationPercent of its CPU request, up to maxReplicas.
     */
    autoscaling: Type.Optional(Type.Object({
      minReplicas: Type.Integer({ minimum: 1 }),
      maxReplicas: Type.Integer({ minimum: 1 }),
      targetCpuUtilizationPercent: Type.Integer({ minimum: 1, maximum: 100 }),
      sources: SourceRefs,
      note: Type.Optional(Type.String())
    }, strict)),
    sources: SourceRefs,
    note: Type.Optional(Type.String())
  }, strict)),
  requests: Requests,
  /** Requests in high-availability installs, where they differ from the default. */
  requestsHighAvailability: Type.Optional(Requests),
  usage: Usage,
  note: Type.Optional(Type.String())
}, strict)

export const Support = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('partial')])

export const FeatureCell = Type.Object({
  support: Type.Optional(Support),
  detail: Type.String({ minLength: 1, description: 'how: the API or mechanism, e.g. "VirtualService"' }),
  since: Type.Optional(Type.String({ minLength: 1, description: 'the mesh version it holds from' })),
  seed: Type.Optional(Type.String({ description: "the seed article's original cell, where it differs" })),
  sources: SourceRefs
}, strict)

export const FeatureId = Type.Union([
  Type.Literal('proxy'),
  Type.Literal('mtls'),
  Type.Literal('trafficSplitting'),
  Type.Literal('circuitBreaking'),
  Type.Literal('rateLimiting'),
  Type.Literal('retriesTimeouts'),
  Type.Literal('multiCluster'),
  Type.Literal('observability'),
  Type.Literal('complexity'),
  Type.Literal('cncfStatus')
])
export type FeatureId = Static<typeof FeatureId>
export const FEATURE_IDS: readonly FeatureId[] = [
  'proxy', 'mtls', 'trafficSplitting', 'circuitBreaking', 'rateLimiting',
  'retriesTimeouts', 'multiCluster', 'observability', 'complexity', 'cncfStatus'
]

export const Features = Type.Object(
  Object.fromEntries(FEATURE_IDS.map((id) => [id, FeatureCell])) as Record<FeatureId, typeof FeatureCell>,
  strict
)

const SourceMap = Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-.]*$' }), Source)

const MsRange = Type.Object({
  low: Type.Number({ minimum: 0 }),
  expected: Type.Number({ minimum: 0 }),
  high: Type.Number({ minimum: 0 }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

/**
 * Latency the data path adds to one hop: one request from a client pod to a server pod through the mesh
 * (both sidecars, or both node proxies), against the same request without the mesh. Per-hop figures only:
 * end-to-end application benchmarks are not mixed in.
 */
export const Latency = Type.Object({
  p50Ms: Type.Optional(MsRange),
  p90Ms: Type.Optional(MsRange),
  p99Ms: MsRange,
  note: Type.Optional(Type.String())
}, strict)

/**
 * An arithmetic guard, not a prediction: a published figure the model was built from, rebuilt as a scenario,
 * that the engine must give back for one replica within the stated tolerance. It catches a broken engine or
 * a mistyped number; it says nothing about accuracy, since the model was made to match it.
 * test/engine/calibration.test.ts runs every one of them. Prediction is checked by leave-one-source-out on the
 * evidence (GET /validation).
 */
export const Calibration = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  title: Type.String({ minLength: 1 }),
  component: Type.String({ minLength: 1 }),
  scenario: Type.Object({
    pods: Type.Integer({ minimum: 1 }),
    requestsPerSecondPerPod: Type.Optional(Type.Number({ minimum: 0 })),
    services: Type.Optional(Type.Integer({ minimum: 1 })),
    nodes: Type.Optional(Type.Integer({ minimum: 1 })),
    sidecarScoping: Type.Optional(Type.Boolean()),
    servicesVisibleWhenScoped: Type.Optional(Type.Integer({ minimum: 1 }))
  }, strict),
  cpu: Type.Optional(CpuQuantity),
  memory: Type.Optional(MemoryQuantity),
  tolerancePercent: Type.Number({ minimum: 0, maximum: 100, description: 'how far the expected usage per replica may be from the published figure' }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)
export type Calibration = Static<typeof Calibration>

export const DataPlaneMode = Type.Union([
  Type.Literal('sidecar'),
  Type.Literal('per-node'),
  Type.Literal('none')
])

/** Day-2 operations: the commands that tell whether the mesh is healthy, and the observability it ships with. */
export const OperationsCommand = Type.Object({
  command: Type.String({ minLength: 1, description: 'the command as typed; <ns> stands for a namespace' }),
  purpose: Type.String({ minLength: 1, description: 'what it checks or shows' }),
  seed: Type.Optional(Type.Boolean({ description: 'the seed article lists this command' })),
  sources: SourceRefs
}, strict)

export const ObservabilityTool = Type.Object({
  name: Type.String({ minLength: 1 }),
  ships: Type.Union([
    Type.Literal('built-in'), // part of the core install
    Type.Literal('extension'), // the project's own optional extension or chart flag
    Type.Literal('sample') // sample manifests, not production-grade
  ], { description: 'how it comes: built-in, an optional extension, or a sample manifest' }),
  detail: Type.String({ minLength: 1 }),
  sources: SourceRefs
}, strict)

export const Operations = Type.Object({
  health: Type.Array(OperationsCommand, { minItems: 1, description: 'health and status commands' }),
  observability: Type.Array(ObservabilityTool, { minItems: 1, description: 'the observability stack the mesh ships with' }),
  note: Type.Optional(Type.String())
}, { ...strict, description: 'day-2 operations: health commands and the observability stack' })
export type Operations = Static<typeof Operations>

export const MeshModel = Type.Object({
  schemaVersion: Type.Literal(1),
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  name: Type.String({ minLength: 1 }),
  mode: DataPlaneMode,
  version: Type.String({ minLength: 1, description: 'mesh version the figures apply to' }),
  revised: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'date this model file was last checked' }),
  summary: Type.String({ minLength: 1 }),
  features: Features,
  latency: Type.Optional(Latency),
  calibrations: Type.Optional(Type.Array(Calibration, { description: 'arithmetic guards, not predictions: figures the model was built from, which the engine must give back; prediction is checked by GET /validation' })),
  components: Type.Array(Component, { minItems: 1 }),
  operations: Type.Optional(Operations),
  sources: SourceMap
}, strict)

export type MeshModel = Static<typeof MeshModel>
export type Component = Static<typeof Component>
export type Source = Static<typeof Source>
export type ScalingDriver = Static<typeof ScalingDriver>
export type Usage = Static<typeof Usage>
export type SourceKind = Static<typeof SourceKind>

/** Unit prices for CPU and memory: what allocation tools such as OpenCost charge per core-hour and GiB-hour. */
export const PriceBook = Type.Object({
  schemaVersion: Type.Literal(1),
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  name: Type.String({ minLength: 1 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
  region: Type.Optional(Type.String({ minLength: 1 })),
  cpuCoreHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one vCPU for one hour' }),
  memoryGiBHour: Type.Number({ exclusiveMinimum: 0, description: 'price of one GiB of memory for one hour' }),
  rateSources: SourceRefs,
  note: Type.Optional(Type.String()),
  revised: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  sources: SourceMap
}, strict)

export type PriceBook = Static<typeof PriceBook>

/** A tiered fraction, as kubelet reservation rules are written: fraction of the slice of capacity up to `upTo`. */
const ReservationTier = Type.Object({
  upTo: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { description: 'end of the slice (cores or GiB); null = no end' }),
  fraction: Type.Number({ minimum: 0, maximum: 1 })
}, strict)

/** How a provider turns node capacity into allocatable: capacity minus kube/system reservation and eviction threshold. */
export const Reservation = Type.Object({
  cpuTiers: Type.Array(ReservationTier, { minItems: 1 }),
  memoryTiers: Type.Array(ReservationTier),
  memoryFixedMiB: Type.Number({ minimum: 0, description: 'flat memory reservation per node' }),
  memoryPerPodMiB: Type.Number({ minimum: 0, description: 'memory reserved per pod of max-pods (EKS AMI rule)' }),
  memoryCapFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'fixed + per-pod memory reservation is capped at this fraction of node memory (AKS rule)' })),
  evictionMiB: Type.Number({ minimum: 0, description: 'hard eviction threshold, memory.available' }),
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

/** The pricing models a catalog price may carry besides on-demand, each per node-hour. */
export const PRICING_MODELS = ['onDemand', 'spot', 'commitment1Year', 'commitment3Year'] as const
export type PricingModel = typeof PRICING_MODELS[number]
/** The catalog field holding each model's price. */
export const PRICE_FIELDS = {
  onDemand: 'hourly',
  spot: 'spotHourly',
  commitment1Year: 'commitment1YearHourly',
  commitment3Year: 'commitment3YearHourly'
} as const satisfies Record<PricingModel, string>

/** One region's prices for a node type, all read from the same dated source. */
export const NodePrice = Type.Object({
  region: Type.String({ minLength: 1 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  asOf: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'date of the price list the prices were read from' }),
  hourly: Type.Number({ exclusiveMinimum: 0, description: 'on-demand list price per node-hour' }),
  spotHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Spot price per node-hour, where the provider publishes a static one' })),
  commitment1YearHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'effective price per node-hour under a 1-year commitment, no upfront payment' })),
  commitment3YearHourly: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'effective price per node-hour under a 3-year commitment, no upfront payment' })),
  sources: SourceRefs
}, strict)
export type NodePrice = Static<typeof NodePrice>

export const NodeType = Type.Object({
  id: Type.String({ pattern: '^[a-z]+/[A-Za-z0-9._-]+$', description: 'provider/instance-type' }),
  vcpu: Type.Number({ exclusiveMinimum: 0 }),
  memoryGiB: Type.Number({ exclusiveMinimum: 0 }),
  arch: Type.Union([Type.Literal('amd64'), Type.Literal('arm64')]),
  family: Type.Union([Type.Literal('general-purpose'), Type.Literal('compute-optimized'), Type.Literal('memory-optimized'), Type.Literal('gpu')]),
  gpu: Type.Optional(Type.Object({
    count: Type.Integer({ minimum: 1 }),
    model: Type.String({ minLength: 1 }),
    memoryGiB: Type.Number({ exclusiveMinimum: 0, description: 'memory of one GPU' }),
    sources: SourceRefs
  }, strict)),
  /** Default max pods per node for each network mode of this provider (keys from the file's `networkModes`). */
  maxPods: Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })),
  prices: Type.Array(NodePrice, { minItems: 1 }),
  sources: SourceRefs
}, strict)

export const NodeCatalog = Type.Object({
  schemaVersion: Type.Literal(1),
  provider: Type.String({ pattern: '^[a-z]+$' }),
  name: Type.String({ minLength: 1 }),
  revised: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  /** Network (CNI) modes and where their max-pods default comes from; the first is the default. */
  networkModes: Type.Array(Type.Object({
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    name: Type.String({ minLength: 1 }),
    sources: SourceRefs
  }, strict), { minItems: 1 }),
  reservation: Reservation,
  nodeTypes: Type.Array(NodeType, { minItems: 1 }),
  sources: SourceMap
}, strict)

export type NodeCatalog = Static<typeof NodeCatalog>
export type NodeType = Static<typeof NodeType>
export type Reservation = Static<typeof Reservation>

/** Scenario defaults, as data so that each one carries its reason. */
const DefaultValue = <T extends ReturnType<typeof Type.Number> | ReturnType<typeof Type.String>>(value: T) => Type.Object({
  value,
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

export const ScenarioDefaults = Type.Object({
  schemaVersion: Type.Literal(1),
  revised: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  requestsPerSecondPerPod: DefaultValue(Type.Number({ minimum: 0 })),
  podsPerService: DefaultValue(Type.Number({ exclusiveMinimum: 0 })),
  servicesVisibleWhenScoped: DefaultValue(Type.Number({ minimum: 1 })),
  skewedTraffic: Type.Object({
    podShare: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    trafficShare: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    sources: SourceRefs,
    note: Type.Optional(Type.String())
  }, strict),
  podCpu: DefaultValue(CpuQuantity),
  podMemory: DefaultValue(MemoryQuantity),
  nodeType: DefaultValue(Type.String({ minLength: 1 })),
  region: DefaultValue(Type.String({ minLength: 1 })),
  priceBook: DefaultValue(Type.String({ minLength: 1 })),
  sources: SourceMap
}, strict)

export type ScenarioDefaults = Static<typeof ScenarioDefaults>

/** The requirements POST /recommend asks about, each answered by one feature of the mesh models. */
export const REQUIREMENT_IDS = ['mtls', 'trafficSplitting', 'l7Observability', 'circuitBreaking', 'rateLimiting', 'multiCluster'] as const
export type RequirementId = typeof REQUIREMENT_IDS[number]
export const PRIORITY_IDS = ['features', 'simplicity', 'overhead'] as const
export type PriorityId = typeof PRIORITY_IDS[number]
export const PriorityLiteral = Type.Union([Type.Literal('features'), Type.Literal('simplicity'), Type.Literal('overhead')])

const Text = Type.String({ minLength: 1 })
/** When a rule applies: every field given must match (lists are alternatives). */
const RuleMatch = Type.Object({
  priority: Type.Optional(Type.Array(PriorityLiteral, { minItems: 1 })),
  cni: Type.Optional(Type.Array(Text, { minItems: 1 })),
  cniNot: Type.Optional(Type.Array(Text, { minItems: 1 })),
  mesh: Type.Optional(Type.Array(Text, { minItems: 1, description: 'current mesh ids, or "none"' }))
}, strict)

const Requirement = Type.Object({
  label: Text,
  feature: FeatureId,
  reason: Text,
  seed: Type.Optional(Text),
  sources: SourceRefs
}, strict)

/** The decision framework, as data: the seed's trees and migration table, and the rules beyond them. */
export const DecisionRules = Type.Object({
  schemaVersion: Type.Literal(1),
  revised: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  needsMesh: Type.Object({
    fewServices: Type.Object({ below: Type.Integer({ minimum: 1 }), reason: Text, seed: Text, sources: SourceRefs }, strict),
    noRequirement: Type.Object({ reason: Text, sources: SourceRefs }, strict),
    requirements: Type.Object(Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, Requirement])) as Record<RequirementId, typeof Requirement>, strict)
  }, strict),
  preferences: Type.Array(Type.Object({
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    when: RuleMatch,
    meshes: Type.Optional(Type.Array(Text, { minItems: 1, description: 'mesh ids this rule favours' })),
    modes: Type.Optional(Type.Array(DataPlaneMode, { minItems: 1, description: 'data-plane modes this rule favours' })),
    seed: Type.Optional(Text),
    reason: Text,
    sources: SourceRefs
  }, strict)),
  complexity: Type.Object({
    levels: Type.Array(Text, { minItems: 2, description: 'lowest first; a model\'s features.complexity.detail starts with one of them' }),
    cniAlreadyRuns: Type.Object({ steps: Type.Integer(), reason: Text, sources: SourceRefs }, strict),
    cniReplaced: Type.Object({ steps: Type.Integer(), reason: Text, sources: SourceRefs }, strict)
  }, strict),
  migration: Type.Object({
    seedRows: Type.Array(Type.Object({ when: RuleMatch, current: Text, path: Text, sources: SourceRefs }, strict)),
    steps: Type.Array(Type.Object({
      when: Type.Union([
        Type.Literal('stay'), Type.Literal('no-mesh-needed'), Type.Literal('enable-on-cni'), Type.Literal('replace-cni'),
        Type.Literal('install'), Type.Literal('side-by-side'), Type.Literal('translate-config'), Type.Literal('remove-old'), Type.Literal('disable-on-cni'), Type.Literal('verify')
      ], { description: 'the transition this step belongs to (see src/engine/recommend.ts)' }),
      text: Type.String({ minLength: 1, description: 'plain sentence; {toName}, {fromName}, {cni} (the current CNI), {toCni} (the CNI the target mesh is part of) and {health} (the target\'s health commands) are filled in' }),
      sources: SourceRefs
    }, strict), { minItems: 1 })
  }, strict),
  sources: SourceMap
}, strict)
export type DecisionRules = Static<typeof DecisionRules>

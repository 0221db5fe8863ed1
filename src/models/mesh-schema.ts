// models/meshes/<id>.yaml: one mesh, its features, components with requests and usage, latency, calibrations.
import { Type, type Static } from 'typebox'
import { strict, Id, ISO_DATE_PATTERN, CpuQuantity, MemoryQuantity, SourceRefs, SourceMap, CpuRange, MemoryRange } from './common-schema.js'

/** What a usage term is multiplied by. */
export const ScalingDriver = Type.Union([
  Type.Literal('thousandRequestsPerSecond'), // requests per second through one replica, / 1000
  Type.Literal('visibleService'), // services whose config the proxy holds
  Type.Literal('visibleEndpoint'), // endpoints (pods) whose config the proxy holds
  Type.Literal('meshedPod'), // meshed pods in the cluster (control planes, node agents)
  Type.Literal('meshedPodPerReplica'), // meshed pods whose proxies one replica serves: meshed pods / replicas
  Type.Literal('clusterPod'), // all pods in the cluster
  Type.Literal('activeConnection'), // connections open through one replica beyond the BENCHMARK_CONNECTIONS the fitted base holds
  Type.Literal('podChurnPerMinute') // pods created or deleted per minute in the cluster (control planes watch every one)
])

/**
 * Connections open through one proxy in the benchmarks most proxy figures come from (Istio's and AKS's: 1,000 rps
 * over 16 connections). The fitted base holds their memory, so a per-connection term counts only those beyond.
 */
export const BENCHMARK_CONNECTIONS = 16

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

/** A fitted resource's jackknife factors (src/engine/jackknife.ts): the base's, and the fitted slope's. */
export const PartFactors = Type.Object({
  low: Type.Number({ minimum: 0, maximum: 1 }),
  high: Type.Number({ minimum: 1 }),
  slope: Type.Optional(Type.Object({ per: ScalingDriver, low: Type.Number({ minimum: 0, maximum: 1 }), high: Type.Number({ minimum: 1 }) }, strict))
}, strict)

export const Usage = Type.Object({
  cpu: CpuRange,
  memory: MemoryRange,
  scaling: Type.Optional(Type.Array(ScalingTerm)),
  /**
   * Set from models/fitted/ at start-up, never in a model file: the factors of the fitted intervals. With them a
   * replica's range combines the base's factors on the base part and the fitted slope's on the slope part
   * (src/engine/usage.ts fittedRange); without them (figures the fit did not touch) the terms' own ranges add up.
   */
  intervals: Type.Optional(Type.Object({ cpu: Type.Optional(PartFactors), memory: Type.Optional(PartFactors) }, strict))
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
  id: Id,
  name: Type.String({ minLength: 1 }),
  /**
   * The program that runs (envoy, linkerd2-proxy, ztunnel, istiod, ...): the unit of the fit. Components of any
   * mesh that run the same engine share its evidence (src/engine/fit.ts).
   */
  engine: Id,
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
  /**
   * The chart's default resource limits, where it sets them: a container is throttled at its CPU limit and killed
   * beyond its memory limit, so no usage figure of one replica goes above them (src/engine/estimate.ts).
   */
  limits: Type.Optional(Type.Object({
    cpu: Type.Optional(CpuQuantity),
    memory: Type.Optional(MemoryQuantity),
    sources: SourceRefs,
    note: Type.Optional(Type.String())
  }, { ...strict, minProperties: 2 })),
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

/** The rows of the seed's feature table, in its order: every mesh file has a cell for each. */
export const FEATURE_IDS = [
  'proxy', 'mtls', 'trafficSplitting', 'circuitBreaking', 'rateLimiting',
  'retriesTimeouts', 'multiCluster', 'observability', 'complexity', 'cncfStatus'
] as const
export type FeatureId = typeof FEATURE_IDS[number]
export const FeatureId = Type.Enum(FEATURE_IDS)

export const Features = Type.Object(
  Object.fromEntries(FEATURE_IDS.map((id) => [id, FeatureCell])) as Record<FeatureId, typeof FeatureCell>,
  strict
)

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
 * test/engine/calibration.test.ts runs every one of them, on the model files as written. Prediction is checked
 * by leave-one-source-out on the evidence (GET /validation).
 */
export const Calibration = Type.Object({
  id: Id,
  title: Type.String({ minLength: 1 }),
  component: Type.String({ minLength: 1 }),
  scenario: Type.Object({
    pods: Type.Integer({ minimum: 1 }),
    requestsPerSecondPerPod: Type.Optional(Type.Number({ minimum: 0 })),
    services: Type.Optional(Type.Integer({ minimum: 1 })),
    nodes: Type.Optional(Type.Integer({ minimum: 1 })),
    /** the node type of the measurement, when one replica's figure needs a node that large (usage stops at its allocatable) */
    nodeType: Type.Optional(Type.String({ minLength: 1 })),
    sidecarScoping: Type.Optional(Type.Boolean()),
    servicesVisibleWhenScoped: Type.Optional(Type.Integer({ minimum: 1 }))
  }, strict),
  cpu: Type.Optional(CpuQuantity),
  memory: Type.Optional(MemoryQuantity),
  tolerancePercent: Type.Number({ minimum: 0, maximum: 100, description: 'how far the model file\'s expected usage per replica may be from the published figure' }),
  servedExcludes: Type.Optional(Type.String({ minLength: 1, description: 'why the served model (the fit on all the evidence) puts the figure outside one replica\'s range, when it does; test/engine/calibration.test.ts fails if the statement stops being true' })),
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
  id: Id,
  name: Type.String({ minLength: 1 }),
  mode: DataPlaneMode,
  version: Type.String({ minLength: 1, description: 'mesh version the figures apply to' }),
  revised: Type.String({ pattern: ISO_DATE_PATTERN, description: 'date this model file was last checked' }),
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
export type ScalingDriver = Static<typeof ScalingDriver>
export type Usage = Static<typeof Usage>
export type PartFactors = Static<typeof PartFactors>

// GET /cluster and POST /cluster/estimate: the cluster as Prometheus sees it, and the estimate built from it.
import { Type, type Static } from 'typebox'
import { KUBERNETES_NAME, WINDOW } from '../promql-inputs.js'
import { Basis, EstimateRequest, EstimateResponse, LIMITS, MeshId } from './estimate.js'
import { strict } from '../models/schema.js'

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const Window = Type.String({ pattern: WINDOW, description: 'range of the measured rates and averages, a Prometheus duration such as 30s, 15m, 1h or 7d, up to about a month (default 1h); give Prometheus at least two scrapes in it' })

export const ClusterQuery = Type.Object({
  window: Type.Optional(Window)
}, strict)
export type ClusterQuery = Static<typeof ClusterQuery>

const Resources = Type.Object({
  cpuCores: nullable(Type.Number({ minimum: 0 })),
  memoryGiB: nullable(Type.Number({ minimum: 0 })),
  pods: nullable(Type.Number({ minimum: 0 }))
}, { ...strict, description: 'per node; null when kube-state-metrics does not report it, or reports only values dropped as implausible (see `missing`)' })

const Typical = Type.Object({
  median: Type.Number({ minimum: 0 }),
  mean: Type.Number({ minimum: 0 })
}, strict)

export const MeasuredComponent = Type.Object({
  mesh: Type.String(),
  component: Type.String({ description: 'component id of the mesh model (GET /meshes/{id})' }),
  replicas: Type.Integer({ minimum: 0, description: 'running pods of this component' }),
  cpuCores: nullable(Type.Number({ minimum: 0, description: 'CPU used by all replicas over the window, cores (cAdvisor)' })),
  memoryGiB: nullable(Type.Number({ minimum: 0, description: 'mean working-set memory of all replicas over the window, GiB (cAdvisor)' }))
}, strict)
export type MeasuredComponent = Static<typeof MeasuredComponent>

export const Missing = Type.Object({
  metric: Type.String({ description: 'metric family that Prometheus does not have; or, with `dropped` and `reason`, whose values meshcost dropped as implausible' }),
  exporter: Type.String(),
  replacedBy: Type.String({ description: 'what meshcost uses instead' }),
  dropped: Type.Optional(Type.Integer({ minimum: 1, description: 'values Prometheus answered that meshcost dropped: NaN, infinite, negative or beyond a physical bound (src/prometheus/plausible.ts); absent when the family is missing altogether' })),
  reason: Type.Optional(Type.String({ description: 'which series were dropped and why, with an example value, e.g. kube_node_status_capacity{resource="cpu"}: 3 of 4 series dropped: negative (-1)' }))
}, strict)
export type Missing = Static<typeof Missing>

export const ClusterResponse = Type.Object({
  window: Type.String(),
  nodes: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    byType: Type.Array(Type.Object({
      instanceType: nullable(Type.String()),
      region: nullable(Type.String()),
      provider: nullable(Type.String({ description: 'aws, gcp or azure, from the node\'s providerID' })),
      nodeType: nullable(Type.String({ description: 'the node type (GET /node-types) of this instance type, when there is one' })),
      capacityType: nullable(Type.Union([Type.Literal('onDemand'), Type.Literal('spot')], { description: 'from the well-known node labels (Karpenter, EKS, GKE, AKS), when kube-state-metrics exports them' })),
      arch: nullable(Type.String({ description: 'CPU architecture (kubernetes.io/arch, else OpenCost\'s arch label), e.g. amd64, arm64' })),
      count: Type.Integer({ minimum: 1 }),
      capacity: Resources,
      allocatable: Resources,
      hourlyPrice: nullable(Type.Number({ minimum: 0, description: 'mean OpenCost node_total_hourly_cost of these nodes' }))
    }, strict), { description: 'node pools, most numerous first: nodes of one instance type, region, capacity type (On-Demand, Spot) and architecture' })
  }, strict),
  pods: Type.Object({
    total: Type.Integer({ minimum: 0, description: 'running pods outside the system namespaces' }),
    system: Type.Integer({ minimum: 0, description: 'running pods in the system namespaces' }),
    systemNamespaces: Type.Array(Type.String()),
    byNamespace: Type.Array(Type.Object({ namespace: Type.String(), pods: Type.Integer({ minimum: 0 }) }, strict), { description: 'running pods outside the system namespaces, most first' }),
    requests: nullable(Type.Object({
      cpuCores: Typical,
      memoryGiB: Typical
    }, { ...strict, description: 'requests of one application pod (sidecars left out), over the running pods that set them' }))
  }, strict),
  mesh: Type.Object({
    detected: Type.Array(Type.String(), { description: 'mesh ids whose sidecars, node agents or control plane run' }),
    components: Type.Array(MeasuredComponent)
  }, strict),
  traffic: nullable(Type.Object({
    requestsPerSecond: Type.Number({ minimum: 0, description: 'requests per second through all proxies of the meshes that run, inbound plus outbound (each proxy counts what it handles), each mesh from its own metric' }),
    requestsPerSecondPerProxy: nullable(Type.Number({ minimum: 0, description: 'the rates of the meshes with a proxy in each pod (Istio, Linkerd, Kuma, Consul) over those proxies; null when none is measured (Cilium\'s L7 proxy runs per node)' })),
    metric: Type.String({ description: 'the series read, one per mesh joined by " + ": istio_requests_total, request_total, hubble_http_requests_total, envoy_http_downstream_rq_total{...} (docs/integrations.md)' })
  }, strict)),
  prices: nullable(Type.Object({
    source: Type.Literal('opencost'),
    currency: Type.String({ description: 'OpenCost publishes no currency; its default configuration is in USD' }),
    cpuCoreHour: Type.Number({ minimum: 0, description: 'mean node_cpu_hourly_cost over nodes' }),
    memoryGiBHour: Type.Number({ minimum: 0, description: 'mean node_ram_hourly_cost over nodes' })
  }, strict)),
  missing: Type.Array(Missing),
  queries: Type.Record(Type.String(), Type.String(), { description: 'the PromQL behind each figure' })
}, { ...strict, $id: 'ClusterResponse', title: 'ClusterResponse' })
export type ClusterResponse = Static<typeof ClusterResponse>

export const ClusterEstimateRequest = Type.Object({
  meshes: Type.Optional(Type.Array(MeshId, { minItems: 1, maxItems: LIMITS.meshes, uniqueItems: true, description: 'mesh ids to estimate; default: every shipped model' })),
  namespaces: Type.Optional(Type.Array(Type.String({ pattern: KUBERNETES_NAME, maxLength: 63, description: 'a Kubernetes namespace name' }), {
    minItems: 1, maxItems: 200, uniqueItems: true, description: 'namespaces whose running pods get the mesh; default: all but the system namespaces'
  })),
  basis: Type.Optional(Basis),
  window: Type.Optional(Window)
}, { ...strict, $id: 'ClusterEstimateRequest', title: 'ClusterEstimateRequest', examples: [{ meshes: ['istio', 'linkerd'], namespaces: ['shop'] }] })
export type ClusterEstimateRequest = Static<typeof ClusterEstimateRequest>

const PerReplica = Type.Object({
  replicas: Type.Integer({ minimum: 0 }),
  cpuCoresPerReplica: Type.Number({ minimum: 0 }),
  memoryGiBPerReplica: Type.Number({ minimum: 0 })
}, strict)

export const MeasuredBeside = Type.Object({
  mesh: Type.String(),
  window: Type.String(),
  components: Type.Array(Type.Object({
    component: Type.String(),
    measured: PerReplica,
    modelled: PerReplica,
    factor: Type.Object({
      cpuCores: nullable(Type.Number({ description: 'measured / modelled per replica' })),
      memoryGiB: nullable(Type.Number())
    }, { ...strict, description: 'measured per replica over modelled (expected usage) per replica; null when either is unknown or the model is 0' })
  }, strict))
}, { ...strict, description: 'a mesh that runs in the cluster: its measured usage beside the model\'s for the same scenario' })

// The request schema without its $id, so that it can sit inside this answer's schema.
const { $id: _id, ...scenarioSchema } = EstimateRequest as typeof EstimateRequest & { $id?: string }

export const ClusterEstimateResponse = Type.Object({
  ...EstimateResponse.properties,
  scenario: Type.Unsafe<EstimateRequest>({ ...scenarioSchema, description: 'the POST /estimate body derived from the cluster; edit it and send it to POST /estimate' }),
  measured: Type.Array(MeasuredBeside),
  missing: Type.Array(Missing)
}, { ...strict, $id: 'ClusterEstimateResponse', title: 'ClusterEstimateResponse', description: 'The ordinary estimate, the scenario derived from the cluster (send it to POST /estimate after editing), and measured usage of the meshes that run' })
export type ClusterEstimateResponse = Static<typeof ClusterEstimateResponse>

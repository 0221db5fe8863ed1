// models/defaults.yaml: every scenario default, with its reason.
import { Type, type Static } from 'typebox'
import { strict, IsoDate, CpuQuantity, MemoryQuantity, SourceRefs, SourceMap } from './common-schema.js'

/** Scenario defaults, as data so that each one carries its reason. */
const DefaultValue = <T extends ReturnType<typeof Type.Number> | ReturnType<typeof Type.String>>(value: T) => Type.Object({
  value,
  sources: SourceRefs,
  note: Type.Optional(Type.String())
}, strict)

export const ScenarioDefaults = Type.Object({
  schemaVersion: Type.Literal(1),
  revised: IsoDate,
  requestsPerSecondPerPod: DefaultValue(Type.Number({ minimum: 0 })),
  podsPerService: DefaultValue(Type.Number({ exclusiveMinimum: 0 })),
  servicesVisibleWhenScoped: DefaultValue(Type.Number({ minimum: 1 })),
  activeConnectionsPerPod: DefaultValue(Type.Number({ minimum: 0, multipleOf: 1 })),
  podChurnPerMinute: DefaultValue(Type.Number({ minimum: 0 })),
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

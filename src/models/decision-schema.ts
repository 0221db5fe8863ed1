// models/decision.yaml: the decision framework, as data.
import { Type, type Static } from 'typebox'
import { strict, Id, IsoDate, SourceRefs, SourceMap, Text } from './common-schema.js'
import { DataPlaneMode, FeatureId } from './mesh-schema.js'

/** The requirements POST /recommend asks about, each answered by one feature of the mesh models. */
export const REQUIREMENT_IDS = ['mtls', 'trafficSplitting', 'l7Observability', 'circuitBreaking', 'rateLimiting', 'multiCluster'] as const
export type RequirementId = typeof REQUIREMENT_IDS[number]
export const PRIORITY_IDS = ['features', 'simplicity', 'overhead'] as const
export type PriorityId = typeof PRIORITY_IDS[number]
export const PriorityLiteral = Type.Union([Type.Literal('features'), Type.Literal('simplicity'), Type.Literal('overhead')])

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
  revised: IsoDate,
  needsMesh: Type.Object({
    fewServices: Type.Object({ below: Type.Integer({ minimum: 1 }), reason: Text, seed: Text, sources: SourceRefs }, strict),
    noRequirement: Type.Object({ reason: Text, sources: SourceRefs }, strict),
    requirements: Type.Object(Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, Requirement])) as Record<RequirementId, typeof Requirement>, strict)
  }, strict),
  preferences: Type.Array(Type.Object({
    id: Id,
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

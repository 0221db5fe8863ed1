// The recommendation's documented order (docs/decisions.md, GET /docs), recomputed from each candidate's
// published fields, independently of src/engine/recommend.ts: required features missing (fewest first), then
// required features covered only in part, then the priority's measure (features: higher feature score;
// simplicity: lower complexity level; overhead: lower expected monthly cost, to the cent), then more of the
// seed's rules in favour, then the other two measures in the order features, simplicity, overhead, and last
// the mesh id. Shared by the engine's test and the route's test.
import type { Candidate } from '../src/schemas/recommend.js'

export type Priority = 'features' | 'simplicity' | 'overhead'
export const PRIORITIES: readonly Priority[] = ['features', 'simplicity', 'overhead']
export const REQUIREMENTS = ['mtls', 'trafficSplitting', 'l7Observability', 'circuitBreaking', 'rateLimiting', 'multiCluster'] as const

/** Requirement sets for a probe: the subsets of REQUIREMENTS whose bit mask is a multiple of `step`. */
export function requirementSets (step: number): Array<Record<string, boolean>> {
  const sets: Array<Record<string, boolean>> = []
  for (let mask = 0; mask < 1 << REQUIREMENTS.length; mask += step) {
    sets.push(Object.fromEntries(REQUIREMENTS.filter((_, i) => (mask >> i) & 1).map((k) => [k, true])))
  }
  return sets
}

/**
 * The mesh ids of `candidates` in the documented order for `priority`. `levels` are the decision file's
 * complexity levels, simplest first; a candidate's level is the first word of its `complexity`.
 */
export function documentedOrder (candidates: readonly Candidate[], priority: Priority, levels: readonly string[]): string[] {
  const measures: Record<Priority, (c: Candidate) => number> = {
    features: (c) => -c.featureScore,
    simplicity: (c) => levels.indexOf(c.complexity.split(/[ :(]/)[0] as string),
    overhead: (c) => Math.round((c.estimate?.monthly.expected ?? 0) * 100)
  }
  const others = PRIORITIES.filter((p) => p !== priority)
  const key = (c: Candidate): number[] => [c.missingFeatures.length, c.partialFeatures.length, measures[priority](c), -c.preferredBy.length, ...others.map((p) => measures[p](c))]
  return [...candidates].sort((a, b) => {
    const ka = key(a); const kb = key(b)
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number)
    return a.mesh.localeCompare(b.mesh)
  }).map((c) => c.mesh)
}

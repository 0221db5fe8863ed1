// Which of a mesh's components are estimated from their engine's measurements in other meshes only, so that the
// answer can say so (issue 23: Kuma's and Consul's proxies are Envoy, measured elsewhere). Pure; per served mesh.
import type { EvidenceFile } from '../models/evidence-schema.js'
import { evidenceSourceId } from '../models/fitted.js'
import type { Component, MeshModel } from '../models/schema.js'

export interface Borrowed { component: Component, sources: number }

const cache = new WeakMap<MeshModel, Borrowed[]>()

/** The mesh's components whose fitted figures cite evidence, none of it measured on the component itself. */
export function borrowedEvidence (mesh: MeshModel, evidence: ReadonlyMap<string, EvidenceFile>): Borrowed[] {
  let found = cache.get(mesh)
  if (found === undefined) {
    const byCitation = new Map([...evidence.values()].map((file) => [evidenceSourceId(file.source.id), file]))
    found = mesh.components.flatMap((component) => {
      const files = [...new Set([...component.usage.cpu.sources, ...component.usage.memory.sources])]
        .flatMap((id) => byCitation.get(id) ?? [])
      const own = files.some((file) => file.records.some((r) => r.mesh === mesh.id && (r.component === component.id || r.covers?.includes(component.id) === true)))
      return files.length === 0 || own ? [] : [{ component, sources: files.length }]
    })
    cache.set(mesh, found)
  }
  return found
}

/** One sentence per such component, for assumptions.notes. */
export function borrowedEvidenceNote (mesh: MeshModel, b: Borrowed): string {
  return `${mesh.name}: ${b.component.name} has no measurements of its own; its usage is the ${b.component.engine} engine's, fitted on ${b.sources} sources that measured it in other meshes or outside any (models/fitted/${mesh.id}.yaml).`
}

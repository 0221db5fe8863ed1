import { Type } from 'typebox'
import { DataPlaneMode, Features, MeshModel } from '../models/schema.js'

export const MeshSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mode: DataPlaneMode,
  version: Type.String({ description: 'mesh version the model\'s figures apply to' }),
  revised: Type.String({ description: 'date the model was last checked' }),
  summary: Type.String(),
  features: Features
}, { additionalProperties: false })

export const MeshList = Type.Object({ meshes: Type.Array(MeshSummary) }, { additionalProperties: false, title: 'MeshList' })

export const MeshParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'mesh id, e.g. istio' })
})

export { MeshModel }

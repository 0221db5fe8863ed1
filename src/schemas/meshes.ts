import { Type } from 'typebox'
import { DataPlaneMode, Features, ID_PATTERN, MeshModel } from '../models/schema.js'

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
  id: Type.String({ pattern: `^${ID_PATTERN}$`, description: 'mesh id, e.g. istio' })
})

export { MeshModel }

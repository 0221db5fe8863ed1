// npm run check:models: validates every file in models/ as the service does at start-up, and counts the evidence.
// Exit 1 with every problem listed (file and field) when a file is bad.
import { fileURLToPath } from 'node:url'
import { loadModels, ModelError } from '../src/models/load.js'

const modelsDir = fileURLToPath(new URL('../models', import.meta.url))
try {
  const models = loadModels(modelsDir)
  const records = [...models.evidence.values()].reduce((n, f) => n + f.records.length, 0)
  console.log(`models ok: ${models.meshes.size} meshes, ${models.evidence.size} evidence sources, ${records} records`)
} catch (error) {
  if (!(error instanceof ModelError)) throw error
  console.error(error.message)
  process.exitCode = 1
}

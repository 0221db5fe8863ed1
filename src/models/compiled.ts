// Models compiled at build time: `npm run build` parses and validates every file of models/ once (the same
// loadModels the service runs) and writes the parsed files to dist/models.json with a hash of what it read.
// At start-up, a models directory whose files hash to the same value is read from that JSON: no YAML parsing
// and no schema compilation, which were most of the start-up time. Anything else (an edited file, a custom
// MODELS_DIR, no dist/models.json) is parsed and validated from YAML as before, every problem listed.
//
//   tsx scripts/compile-models.ts [modelsDir] [outFile]     (npm run build runs it)
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The folders loadModels reads, and its top-level files. */
const FOLDERS = ['meshes', 'pricing', 'nodes', 'evidence', 'fitted'] as const
const TOP_FILES = ['defaults.yaml', 'decision.yaml'] as const

export const COMPILED_FORMAT = 1

/** A models directory parsed: each YAML file's value, by its path relative to the directory. */
export interface CompiledModels {
  format: typeof COMPILED_FORMAT
  hash: string
  files: Record<string, unknown>
}

/** Every YAML file loadModels reads, relative to the directory, sorted. */
export function modelFiles (modelsDir: string): string[] {
  const files: string[] = []
  for (const folder of FOLDERS) {
    let names: string[]
    try { names = readdirSync(join(modelsDir, folder)) } catch { continue }
    for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) files.push(`${folder}/${name}`)
  }
  for (const name of TOP_FILES) {
    try { readFileSync(join(modelsDir, name)); files.push(name) } catch { /* absent: loadModels says so if it matters */ }
  }
  return files
}

/** sha256 over the compiled format, each file's relative path and its bytes. */
export function modelsHash (modelsDir: string, files = modelFiles(modelsDir)): string {
  const hash = createHash('sha256').update(`meshcost-models-${COMPILED_FORMAT}\n`)
  for (const file of files) {
    const bytes = readFileSync(join(modelsDir, file))
    hash.update(`${file}\n${bytes.length}\n`).update(bytes)
  }
  return hash.digest('hex')
}

/** The compiled models at `file` when they were compiled from exactly the files now in `modelsDir`; else undefined. */
export function readCompiled (file: string, modelsDir: string): CompiledModels | undefined {
  let compiled: CompiledModels
  try {
    compiled = JSON.parse(readFileSync(file, 'utf8')) as CompiledModels
  } catch {
    return undefined // none built, or unreadable: the YAML is read instead
  }
  if (compiled.format !== COMPILED_FORMAT || compiled.hash !== modelsHash(modelsDir)) return undefined
  return compiled
}

// Reads and validates every data file in models/ once, at start-up. A bad file stops the process
// with every problem listed (file and field), rather than the first one found.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { Compile } from 'typebox/compile'
import type { TSchema } from 'typebox'
import { Settings } from 'typebox/system'
import { parse } from 'yaml'
import { COMPILED_FORMAT, modelFiles, modelsHash, readCompiled, type CompiledModels } from './compiled.js'
import { EvidenceFile } from './evidence-schema.js'
import { applyFitted, FittedMeshFile } from './fitted.js'
import type { SheetRates } from './price-sheet.js'
import { cpuCores, memoryGiB } from './quantity.js'
import {
  DecisionRules, MeshModel, NodeCatalog, PriceBook, ScenarioDefaults,
  type NodeType
} from './schema.js'

export interface Models {
  meshes: ReadonlyMap<string, MeshModel>
  priceBooks: ReadonlyMap<string, PriceBook>
  nodeCatalogs: ReadonlyMap<string, NodeCatalog>
  nodeTypes: ReadonlyMap<string, { nodeCatalog: NodeCatalog, nodeType: NodeType }>
  defaults: ScenarioDefaults
  /** PRICE_SHEET_FILE's rates: the unit prices of requests that name none */
  priceSheet?: SheetRates
  /** models/decision.yaml: the rules of POST /recommend; absent from model sets that do not ship it */
  decision?: DecisionRules
  /** models/evidence/*.yaml: published measurements, by source id (empty when a model set ships none) */
  evidence: ReadonlyMap<string, EvidenceFile>
  /** models/meshes/*.yaml as written, before models/fitted/ replaces their fitted figures: what the fit starts from */
  priors: ReadonlyMap<string, MeshModel>
}

export class ModelError extends Error {
  constructor (readonly problems: string[]) {
    super(`invalid model data (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`)
    this.name = 'ModelError'
  }
}

const checkers = new Map<TSchema, ReturnType<typeof Compile>>()
function checker (schema: TSchema): ReturnType<typeof Compile> {
  let compiled = checkers.get(schema)
  if (compiled === undefined) {
    compiled = Compile(schema)
    checkers.set(schema, compiled)
  }
  return compiled
}

function yamlFiles (dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f))
  } catch {
    return []
  }
}

export interface LoadOptions {
  /**
   * dist/models.json as npm run build writes it (models/compiled.ts): used when it was compiled from exactly
   * the files in the directory, whose values it holds already parsed and schema-checked.
   */
  compiled?: string
  /** each file's parsed value, as read (the build step that writes the compiled models) */
  onParsed?: (name: string, value: unknown) => void
}

class Reader {
  readonly problems: string[] = []
  constructor (private readonly root: string, private readonly compiled: CompiledModels | undefined, private readonly onParsed?: LoadOptions['onParsed']) {}

  /** Parses and schema-checks one file; returns undefined (and records why) when it is unusable. */
  read<T> (file: string, schema: TSchema): T | undefined {
    const name = relative(this.root, file)
    // Parsed and checked against the same schemas at build time, from files with the same hash.
    if (this.compiled !== undefined && Object.hasOwn(this.compiled.files, name)) return this.compiled.files[name] as T
    let value: unknown
    try {
      value = parse(readFileSync(file, 'utf8'))
    } catch (err) {
      this.problems.push(`${name}: ${(err as Error).message.split('\n')[0]}`)
      return undefined
    }
    const compiled = checker(schema)
    if (compiled.Check(value)) {
      this.onParsed?.(name, value)
      return value as T
    }
    const seen = new Set<string>()
    // TypeBox stops at 8 errors by default (a guard for untrusted input); a model file is the operator's own,
    // and start-up must list every problem in it, so the limit is lifted while its errors are gathered.
    const { maxErrors } = Settings.Get()
    Settings.Set({ maxErrors: 10_000 })
    let errors: ReturnType<typeof compiled.Errors>
    try { errors = compiled.Errors(value) } finally { Settings.Set({ maxErrors }) }
    for (const error of errors) {
      // Unions report one error per branch plus a summary; keep the first message per field.
      const field = error.instancePath === '' ? '(root)' : error.instancePath
      if (seen.has(field)) continue
      seen.add(field)
      const extra = error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperties?: unknown }).additionalProperties)})`
        : ''
      this.problems.push(`${name}: ${field}: ${error.message}${extra}`)
    }
    return undefined
  }

  fail (file: string, field: string, message: string): void {
    this.problems.push(`${relative(this.root, file)}: ${field}: ${message}`)
  }
}

/** Every `sources` / `rateSources` list in a file must name entries of its `sources` map. */
function checkSourceRefs (reader: Reader, file: string, value: unknown, known: Record<string, unknown>, path = ''): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkSourceRefs(reader, file, item, known, `${path}/${i}`))
    return
  }
  if (value === null || typeof value !== 'object') return
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'sources' || key === 'rateSources') && Array.isArray(child)) {
      for (const id of child) {
        if (!(id in known)) reader.fail(file, `${path}/${key}`, `unknown source "${String(id)}"`)
      }
    } else if (key !== 'sources') {
      checkSourceRefs(reader, file, child, known, `${path}/${key}`)
    }
  }
}

function checkRange (reader: Reader, file: string, field: string, range: { low: string, expected: string, high: string }, toNumber: (q: string) => number): void {
  const [low, expected, high] = [toNumber(range.low), toNumber(range.expected), toNumber(range.high)]
  if (!(low <= expected && expected <= high)) {
    reader.fail(file, field, `needs low <= expected <= high (got ${range.low}, ${range.expected}, ${range.high})`)
  }
}

function checkMesh (reader: Reader, file: string, mesh: MeshModel): void {
  if (mesh.id !== basename(file, '.yaml')) reader.fail(file, '/id', `must equal the file name ("${basename(file, '.yaml')}")`)
  checkSourceRefs(reader, file, mesh, mesh.sources)
  const ids = new Set<string>()
  mesh.components.forEach((component, i) => {
    const at = `/components/${i}`
    if (ids.has(component.id)) reader.fail(file, `${at}/id`, `duplicate component id "${component.id}"`)
    ids.add(component.id)
    if (component.scope === 'cluster' && component.replicas === undefined) reader.fail(file, `${at}/replicas`, 'required for scope "cluster"')
    if (component.scope !== 'cluster' && component.replicas !== undefined) reader.fail(file, `${at}/replicas`, `not allowed for scope "${component.scope}" (one per ${component.scope === 'perPod' ? 'pod' : 'node'})`)
    const hpa = component.replicas?.autoscaling
    if (hpa !== undefined && hpa.maxReplicas < hpa.minReplicas) reader.fail(file, `${at}/replicas/autoscaling`, `maxReplicas (${hpa.maxReplicas}) is below minReplicas (${hpa.minReplicas})`)
    if (component.traffic !== undefined && component.scope !== 'cluster') reader.fail(file, `${at}/traffic`, 'only for scope "cluster": sidecars and node proxies see each request at both ends')
    checkRange(reader, file, `${at}/usage/cpu`, component.usage.cpu, cpuCores)
    checkRange(reader, file, `${at}/usage/memory`, component.usage.memory, memoryGiB)
    component.usage.scaling?.forEach((term, j) => {
      if (term.cpu) checkRange(reader, file, `${at}/usage/scaling/${j}/cpu`, term.cpu, cpuCores)
      if (term.memory) checkRange(reader, file, `${at}/usage/scaling/${j}/memory`, term.memory, memoryGiB)
      if (!term.cpu && !term.memory) reader.fail(file, `${at}/usage/scaling/${j}`, 'needs cpu or memory')
    })
  })
  mesh.calibrations?.forEach((calibration, i) => {
    if (!ids.has(calibration.component)) reader.fail(file, `/calibrations/${i}/component`, `no component "${calibration.component}"`)
    if (calibration.cpu === undefined && calibration.memory === undefined) reader.fail(file, `/calibrations/${i}`, 'needs cpu or memory')
  })
}

function checkNodeCatalog (reader: Reader, file: string, nodeCatalog: NodeCatalog): void {
  if (nodeCatalog.provider !== basename(file, '.yaml')) reader.fail(file, '/provider', `must equal the file name ("${basename(file, '.yaml')}")`)
  checkSourceRefs(reader, file, nodeCatalog, nodeCatalog.sources)
  const modes = nodeCatalog.networkModes.map((m) => m.id)
  const ids = new Set<string>()
  nodeCatalog.nodeTypes.forEach((nodeType, i) => {
    const at = `/nodeTypes/${i}`
    if (!nodeType.id.startsWith(`${nodeCatalog.provider}/`)) reader.fail(file, `${at}/id`, `must start with "${nodeCatalog.provider}/"`)
    if (ids.has(nodeType.id)) reader.fail(file, `${at}/id`, `duplicate node type "${nodeType.id}"`)
    ids.add(nodeType.id)
    for (const mode of modes) {
      if (nodeType.maxPods[mode] === undefined) reader.fail(file, `${at}/maxPods`, `missing network mode "${mode}"`)
    }
    for (const mode of Object.keys(nodeType.maxPods)) {
      if (!modes.includes(mode)) reader.fail(file, `${at}/maxPods/${mode}`, 'not a network mode of this file')
    }
  })
}

function checkDecision (reader: Reader, file: string, decision: DecisionRules, meshes: ReadonlyMap<string, MeshModel>): void {
  checkSourceRefs(reader, file, decision, decision.sources)
  decision.preferences.forEach((rule, i) => {
    if (rule.meshes === undefined && rule.modes === undefined) reader.fail(file, `/preferences/${i}`, 'needs meshes or modes')
    rule.meshes?.forEach((id, j) => { if (!meshes.has(id)) reader.fail(file, `/preferences/${i}/meshes/${j}`, `unknown mesh "${id}"`) })
  })
}

/**
 * Each record names a unique id, at least one figure, and what ran: a modelled mesh's component (whose engine it
 * shares), or, outside the models, an engine some modelled component runs, so that the fit can use it.
 */
function checkEvidence (reader: Reader, file: string, evidence: EvidenceFile, meshes: ReadonlyMap<string, MeshModel>): void {
  if (evidence.source.id !== basename(file, '.yaml')) reader.fail(file, '/source/id', `must equal the file name ("${basename(file, '.yaml')}")`)
  const engines = new Set([...meshes.values()].flatMap((m) => m.components.map((c) => c.engine)))
  const ids = new Set<string>()
  evidence.records.forEach((record, i) => {
    const at = `/records/${i}`
    if (ids.has(record.id)) reader.fail(file, `${at}/id`, `duplicate record id "${record.id}"`)
    ids.add(record.id)
    const mesh = meshes.get(record.mesh)
    if (!mesh) {
      if (record.engine === undefined) reader.fail(file, `${at}/engine`, `required: mesh "${record.mesh}" is not modelled, so the record must name the engine it measured`)
      else if (!engines.has(record.engine)) reader.fail(file, `${at}/engine`, `no modelled component runs engine "${record.engine}" (known: ${[...engines].sort().join(', ')})`)
      if (record.covers) reader.fail(file, `${at}/covers`, 'only for components of a modelled mesh')
    } else {
      const known = new Map(mesh.components.map((c) => [c.id, c]))
      const component = known.get(record.component)
      if (!component) reader.fail(file, `${at}/component`, `mesh "${record.mesh}" has no component "${record.component}"`)
      else if (record.engine !== undefined && record.engine !== component.engine) reader.fail(file, `${at}/engine`, `"${record.engine}" differs from ${record.mesh}/${record.component}'s engine "${component.engine}"`)
      record.covers?.forEach((id, j) => { if (!known.has(id)) reader.fail(file, `${at}/covers/${j}`, `mesh "${record.mesh}" has no component "${id}"`) })
      if (record.covers && !record.covers.includes(record.component)) reader.fail(file, `${at}/covers`, `must include the record's component "${record.component}"`)
    }
    if (record.cpuCores === undefined && record.memoryMiB === undefined) reader.fail(file, at, 'needs cpuCores or memoryMiB')
  })
}

/** A fitted file names a model's mesh, its components and terms, and evidence that exists. */
function checkFitted (reader: Reader, file: string, fitted: FittedMeshFile, meshes: ReadonlyMap<string, MeshModel>, evidence: ReadonlyMap<string, EvidenceFile>): void {
  if (fitted.mesh !== basename(file, '.yaml')) reader.fail(file, '/mesh', `must equal the file name ("${basename(file, '.yaml')}")`)
  const mesh = meshes.get(fitted.mesh)
  if (mesh === undefined) { reader.fail(file, '/mesh', `unknown mesh "${fitted.mesh}"`); return }
  for (const [id, figures] of Object.entries(fitted.components)) {
    const component = mesh.components.find((c) => c.id === id)
    if (component === undefined) { reader.fail(file, `/components/${id}`, `mesh "${mesh.id}" has no component "${id}"`); continue }
    for (const [field, resource] of [['cpuCores', 'cpu'], ['memoryMiB', 'memory']] as const) {
      const f = figures[field]
      if (f === undefined) continue
      const at = `/components/${id}/${field}`
      if (!(f.base.low <= f.base.expected && f.base.expected <= f.base.high)) reader.fail(file, `${at}/base`, 'needs low <= expected <= high')
      const slope = f.slope
      if (slope !== undefined && !(component.usage.scaling ?? []).some((t) => t.per === slope.per && t[resource] !== undefined)) {
        reader.fail(file, `${at}/slope/per`, `the model has no ${resource} term per ${slope.per} for "${id}"`)
      }
      f.sources.forEach((s, i) => { if (!evidence.has(s)) reader.fail(file, `${at}/sources/${i}`, `no evidence source "${s}" in models/evidence`) })
    }
  }
}

export function loadModels (modelsDir: string, options: LoadOptions = {}): Models {
  const reader = new Reader(modelsDir, options.compiled === undefined ? undefined : readCompiled(options.compiled, modelsDir), options.onParsed)

  const meshes = new Map<string, MeshModel>()
  for (const file of yamlFiles(join(modelsDir, 'meshes'))) {
    const mesh = reader.read<MeshModel>(file, MeshModel)
    if (mesh) { checkMesh(reader, file, mesh); meshes.set(mesh.id, mesh) }
  }
  if (meshes.size === 0) reader.problems.push('meshes/: no mesh model found')

  const priceBooks = new Map<string, PriceBook>()
  for (const file of yamlFiles(join(modelsDir, 'pricing'))) {
    const book = reader.read<PriceBook>(file, PriceBook)
    if (!book) continue
    if (book.id !== basename(file, '.yaml')) reader.fail(file, '/id', `must equal the file name ("${basename(file, '.yaml')}")`)
    checkSourceRefs(reader, file, book, book.sources)
    priceBooks.set(book.id, book)
  }

  const nodeCatalogs = new Map<string, NodeCatalog>()
  const nodeTypes = new Map<string, { nodeCatalog: NodeCatalog, nodeType: NodeType }>()
  for (const file of yamlFiles(join(modelsDir, 'nodes'))) {
    const nodeCatalog = reader.read<NodeCatalog>(file, NodeCatalog)
    if (!nodeCatalog) continue
    checkNodeCatalog(reader, file, nodeCatalog)
    nodeCatalogs.set(nodeCatalog.provider, nodeCatalog)
    for (const nodeType of nodeCatalog.nodeTypes) nodeTypes.set(nodeType.id, { nodeCatalog, nodeType })
  }

  const defaultsFile = join(modelsDir, 'defaults.yaml')
  const defaults = reader.read<ScenarioDefaults>(defaultsFile, ScenarioDefaults)
  if (defaults) {
    checkSourceRefs(reader, defaultsFile, defaults, defaults.sources)
    const node = nodeTypes.get(defaults.nodeType.value)
    if (!node) reader.fail(defaultsFile, '/nodeType/value', `unknown node type "${defaults.nodeType.value}"`)
    else if (!node.nodeType.prices.some((p) => p.region === defaults.region.value)) {
      reader.fail(defaultsFile, '/region/value', `node type "${defaults.nodeType.value}" has no price in "${defaults.region.value}"`)
    }
    if (!priceBooks.has(defaults.priceBook.value)) reader.fail(defaultsFile, '/priceBook/value', `unknown price book "${defaults.priceBook.value}"`)
  }

  const decisionFile = join(modelsDir, 'decision.yaml')
  const decision = existsSync(decisionFile) ? reader.read<DecisionRules>(decisionFile, DecisionRules) : undefined
  if (decision) checkDecision(reader, decisionFile, decision, meshes)

  const evidence = new Map<string, EvidenceFile>()
  for (const file of yamlFiles(join(modelsDir, 'evidence'))) {
    const sourceEvidence = reader.read<EvidenceFile>(file, EvidenceFile)
    if (sourceEvidence) { checkEvidence(reader, file, sourceEvidence, meshes); evidence.set(sourceEvidence.source.id, sourceEvidence) }
  }

  // models/fitted/: the coefficients npm run fit derived from the evidence replace the model files' figures.
  const fitted = new Map<string, FittedMeshFile>()
  for (const file of yamlFiles(join(modelsDir, 'fitted'))) {
    const f = reader.read<FittedMeshFile>(file, FittedMeshFile)
    if (f) { checkFitted(reader, file, f, meshes, evidence); fitted.set(f.mesh, f) }
  }

  if (reader.problems.length > 0 || defaults === undefined) throw new ModelError(reader.problems)
  const fittedMeshes = new Map([...meshes].map(([id, prior]) => [id, applyFitted(prior, fitted.get(id), evidence)]))
  return { meshes: fittedMeshes, priors: meshes, priceBooks, nodeCatalogs, nodeTypes, defaults, evidence, ...(decision ? { decision } : {}) }
}

/** Validates modelsDir as the service does (throws ModelError listing every problem), then writes the JSON. */
export function compileModels (modelsDir: string, outFile: string): CompiledModels {
  const files: Record<string, unknown> = {}
  const names = modelFiles(modelsDir)
  const hash = modelsHash(modelsDir, names)
  loadModels(modelsDir, { onParsed: (name, value) => { files[name] = value } })
  const compiled: CompiledModels = { format: COMPILED_FORMAT, hash, files }
  writeFileSync(`${outFile}.tmp`, JSON.stringify(compiled))
  renameSync(`${outFile}.tmp`, outFile)
  return compiled
}

import { cpSync, rmSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { loadModels, ModelError } from '../../src/models/load.js'
import { FEATURE_IDS, type Source } from '../../src/models/schema.js'
import { SHIPPED_MODELS, shippedModels } from '../helpers.js'

t.test('models are read and validated once, at start-up, never per request', async (t) => {
  const dir = t.testdir({})
  const copy = join(dir, 'models')
  cpSync(SHIPPED_MODELS, copy, { recursive: true })
  const a = await buildApp(createConfig({}, { logLevel: 'silent', modelsDir: copy }), { logger: false })
  t.teardown(() => a.close())
  rmSync(copy, { recursive: true, force: true })
  const res = await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })
  t.equal(res.statusCode, 200, 'estimates with the model files gone')
  t.same(res.json(), (await a.inject({ method: 'POST', url: '/estimate', payload: { pods: 100 } })).json())
  t.throws(() => loadModels(copy), 'while loading them now would fail')
})

t.test('every shipped model file is valid', async (t) => {
  const models = shippedModels()
  t.ok(models.meshes.has('istio') && models.meshes.has('linkerd') && models.meshes.has('cilium'), 'the seed\'s three meshes')
  t.ok(models.nodeTypes.size >= 20, 'node types of three clouds')
  t.ok(models.priceBooks.has('opencost-default'))
})

t.test('every source is traceable: a URL, or an assumption with its reasoning; prices and nodes carry a date', async (t) => {
  const models = shippedModels()
  const check = (file: string, sources: Record<string, Source>, needsDate: boolean) => {
    for (const [id, source] of Object.entries(sources)) {
      if (source.kind === 'assumption') t.ok(source.reasoning, `${file}: ${id} states its reasoning`)
      else t.ok(source.url, `${file}: ${id} has a URL or repository path`)
      if (needsDate) t.match(source.retrieved ?? '', /^\d{4}-\d{2}-\d{2}$/, `${file}: ${id} is dated`)
    }
  }
  for (const mesh of models.meshes.values()) check(`meshes/${mesh.id}`, mesh.sources, false)
  for (const nodes of models.nodeCatalogs.values()) check(`nodes/${nodes.provider}`, nodes.sources, true)
  for (const book of models.priceBooks.values()) check(`pricing/${book.id}`, book.sources, true)
})

t.test('every mesh has the whole feature table', async (t) => {
  for (const mesh of shippedModels().meshes.values()) {
    t.same(Object.keys(mesh.features).sort(), [...FEATURE_IDS].sort(), `${mesh.id}: all ten features`)
  }
})

t.test('a broken model stops loading, with every problem listed by file and field', async (t) => {
  const dir = t.testdir({})
  cpSync(SHIPPED_MODELS, dir, { recursive: true })
  const istio = join(dir, 'meshes', 'istio.yaml')
  writeFileSync(istio, readFileSync(istio, 'utf8')
    .replace(/^version: .*$/m, 'version: 7') // a number where a string is due
    .replace(/^mode: .*$/m, 'mode: teleport') // not a mode
    .replace(/^summary:/m, 'colour: blue\nsummary:')) // unknown field
  writeFileSync(join(dir, 'meshes', 'broken.yaml'), 'id: [unclosed\n')
  const linkerd = join(dir, 'meshes', 'linkerd.yaml')
  writeFileSync(linkerd, readFileSync(linkerd, 'utf8').replace(/sources: \[([a-z0-9.-]+)/, 'sources: [no-such-source'))

  let error: unknown
  try { loadModels(dir) } catch (err) { error = err }
  t.ok(error instanceof ModelError)
  const problems = (error as ModelError).problems.join('\n')
  t.match(problems, /meshes\/istio\.yaml: \/version: must be string/)
  t.match(problems, /meshes\/istio\.yaml: \/mode: /)
  t.match(problems, /meshes\/istio\.yaml: .*colour/)
  t.match(problems, /meshes\/broken\.yaml: /)
  t.match(problems, /meshes\/linkerd\.yaml: .*unknown source "no-such-source"/)
})

t.test('semantic checks: ranges in order, replicas only for Deployments, ids match file names, defaults resolve', async (t) => {
  const dir = t.testdir({})
  cpSync(SHIPPED_MODELS, dir, { recursive: true })
  const cilium = join(dir, 'meshes', 'cilium.yaml')
  writeFileSync(cilium, readFileSync(cilium, 'utf8').replace(/^id: cilium$/m, 'id: cilium2'))
  const defaults = join(dir, 'defaults.yaml')
  writeFileSync(defaults, readFileSync(defaults, 'utf8').replace(/value: gcp\/n2-standard-4/, 'value: gcp/n9-huge'))
  const fixture = join(dir, 'meshes', 'toy.yaml')
  writeFileSync(fixture, readFileSync(join(SHIPPED_MODELS, '..', 'test', 'fixtures', 'models', 'meshes', 'alpha.yaml'), 'utf8')
    .replace('id: alpha', 'id: toy')
    .replace('low: 32Mi, expected: 64Mi', 'low: 640Mi, expected: 64Mi')
    .replace('scope: perPod\n    role: data-plane', 'scope: perPod\n    role: data-plane\n    replicas: { default: 1, highAvailability: 1, sources: [fixture] }'))

  let error: unknown
  try { loadModels(dir) } catch (err) { error = err }
  const problems = (error as ModelError).problems.join('\n')
  t.match(problems, /meshes\/cilium\.yaml: \/id: must equal the file name/)
  t.match(problems, /defaults\.yaml: \/nodeType\/value: unknown node type "gcp\/n9-huge"/)
  t.match(problems, /meshes\/toy\.yaml: \/components\/0\/usage\/memory: needs low <= expected <= high/)
  t.match(problems, /meshes\/toy\.yaml: \/components\/0\/replicas: not allowed/)
})

t.test('a node catalog price without asOf or without a source stops loading, naming the field', async (t) => {
  for (const [label, edit, field] of [
    ['no asOf', (line: string) => line.replace(/asOf: [0-9-]+, /, ''), /nodes\/aws\.yaml: \/nodeTypes\/0\/prices\/0: .*asOf/],
    ['empty sources', (line: string) => line.replace(/sources: \[aws-ec2-price-list\]/, 'sources: []'), /nodes\/aws\.yaml: \/nodeTypes\/0\/prices\/0\/sources: /],
    ['no sources', (line: string) => line.replace(/, sources: \[aws-ec2-price-list\]/, ''), /nodes\/aws\.yaml: \/nodeTypes\/0\/prices\/0: .*sources/]
  ] as const) {
    const dir = t.testdir({})
    cpSync(SHIPPED_MODELS, dir, { recursive: true })
    const aws = join(dir, 'nodes', 'aws.yaml')
    const text = readFileSync(aws, 'utf8')
    const first = text.split('\n').find((l) => l.includes('region: us-east-1')) as string
    writeFileSync(aws, text.replace(first, edit(first)))
    let error: unknown
    try { loadModels(dir) } catch (err) { error = err }
    t.ok(error instanceof ModelError, label)
    t.match((error as ModelError).problems.join('\n'), field, label)
  }
})

t.test('a file with many problems lists them all, not the first eight', async (t) => {
  const dir = t.testdir({})
  cpSync(SHIPPED_MODELS, dir, { recursive: true })
  const istio = join(dir, 'meshes', 'istio.yaml')
  // Twelve unknown top-level fields, each its own problem.
  const extra = Array.from({ length: 12 }, (_, i) => `extra${i}: 1`).join('\n')
  writeFileSync(istio, readFileSync(istio, 'utf8').replace(/^summary:/m, `${extra}\nsummary:`))
  let error: unknown
  try { loadModels(dir) } catch (err) { error = err }
  t.ok(error instanceof ModelError)
  const problems = (error as ModelError).problems.filter((p) => p.startsWith('meshes/istio.yaml'))
  for (let i = 0; i < 12; i++) t.ok(problems.some((p) => p.includes(`extra${i}`)), `extra${i} listed`)
})

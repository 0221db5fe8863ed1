import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadModels, ModelError } from '../../src/models/load.js'
import { SHIPPED_MODELS, shippedModels } from '../helpers.js'

const MESHES = ['istio', 'istio-ambient', 'linkerd', 'cilium', 'consul', 'kuma']

t.test('the shipped evidence loads and meets issue 23\'s minimum: 200 records from 25 sources', async (t) => {
  const files = [...shippedModels().evidence.values()]
  const records = files.flatMap((file) => file.records)
  t.ok(records.length >= 200, `${records.length} records`)
  t.ok(files.length >= 25, `${files.length} sources`)
  t.ok(new Set(files.flatMap((file) => file.records.map((r) => r.party))).has('independent'), 'independent measurements among them')
})

t.test('every record has a figure, and names a modelled component or, outside the models, a modelled engine', async (t) => {
  const models = shippedModels()
  const problems: string[] = []
  for (const file of models.evidence.values()) {
    for (const record of file.records) {
      const at = `${file.source.id}/${record.id}`
      const figures = [record.cpuCores, record.memoryMiB].filter((v) => v !== undefined)
      if (figures.length === 0) problems.push(`${at}: no figure`)
      if (!figures.every((v) => Number.isFinite(v) && v >= 0)) problems.push(`${at}: a figure is not a finite number >= 0`)
      const mesh = models.meshes.get(record.mesh)
      const engines = new Set([...models.meshes.values()].flatMap((m) => m.components.map((c) => c.engine)))
      if (mesh !== undefined && !mesh.components.some((c) => c.id === record.component)) problems.push(`${at}: no ${record.mesh}/${record.component}`)
      if (mesh === undefined && (record.engine === undefined || !engines.has(record.engine))) problems.push(`${at}: ${record.mesh} is not modelled and engine ${String(record.engine)} is not a modelled component's`)
    }
  }
  t.same(problems, [])
})

t.test('the evidence covers every mesh that has published measurements', async (t) => {
  const meshes = new Set([...shippedModels().evidence.values()].flatMap((file) => file.records.map((r) => r.mesh)))
  for (const mesh of ['istio', 'istio-ambient', 'linkerd', 'cilium', 'kuma']) t.ok(meshes.has(mesh), `${mesh} has records`)
  t.ok([...meshes].every((mesh) => MESHES.includes(mesh) || [...shippedModels().evidence.values()].every((f) => f.records.every((r) => r.mesh !== mesh || r.engine !== undefined))), 'a record outside the modelled meshes names its engine')
})

t.test('docs/models.md lists every evidence source with its record count', async (t) => {
  const docs = readFileSync(join(SHIPPED_MODELS, '..', 'docs', 'models.md'), 'utf8')
  for (const file of shippedModels().evidence.values()) {
    const row = docs.split('\n').find((line) => line.startsWith(`| [${file.source.id}](`))
    t.ok(row?.endsWith(` | ${file.records.length} |`), `${file.source.id}: ${file.records.length} records in the table`)
  }
  const files = [...shippedModels().evidence.values()]
  const records = files.reduce((sum, file) => sum + file.records.length, 0)
  t.match(docs, `\n${records} records from ${files.length} sources.\n`, 'the total under the table')
})

t.test('a bad evidence file stops loading, with every problem listed by file and field', async (t) => {
  const dir = t.testdir({})
  cpSync(SHIPPED_MODELS, dir, { recursive: true })
  writeFileSync(join(dir, 'evidence', 'bad-source.yaml'), `schemaVersion: 1
source:
  id: other-name
  title: A benchmark
  url: https://example.org/bench
  published: 2024-13-45-x
  ranBy: Someone
records:
  - id: one
    mesh: linkerd
    meshVersion: "2.14"
    component: linkerd-proxy
    party: friend
    setup: { requestsPerSecond: -5 }
    statistic: mean
    memoryMiB: 10
    note: a note
  - id: one
    mesh: linkerd
    meshVersion: "2.14"
    component: no-such-component
    covers: [linkerd-destination, nope]
    party: independent
    setup: {}
    statistic: mean
    note: no figure
`)
  writeFileSync(join(dir, 'evidence', 'second-bad.yaml'), `schemaVersion: 1
source: { id: second-bad, title: Another, url: 'https://example.org/b', published: 2024-05, ranBy: Someone }
records:
  - { id: a, mesh: linkerd, meshVersion: "2.14", component: linkerd-proxy, party: independent, setup: { colour: blue }, statistic: mean, cpuCores: 0.1, note: a }
  - { id: b, mesh: linkerd, meshVersion: "2.14", component: linkerd-proxy, party: independent, setup: {}, statistic: mean, cpuCores: "0.1", note: b }
`)
  writeFileSync(join(dir, 'evidence', 'broken.yaml'), 'records: [unclosed\n')

  let error: unknown
  try { loadModels(dir) } catch (err) { error = err }
  t.ok(error instanceof ModelError)
  const problems = (error as ModelError).problems.join('\n')
  // Schema errors: every field, not the first one only.
  t.match(problems, /evidence\/bad-source\.yaml: \/source\/published: /)
  t.match(problems, /evidence\/bad-source\.yaml: \/records\/0\/party: /)
  t.match(problems, /evidence\/bad-source\.yaml: \/records\/0\/setup\/requestsPerSecond: /)
  t.match(problems, /evidence\/second-bad\.yaml: \/records\/0\/setup.*colour/)
  t.match(problems, /evidence\/second-bad\.yaml: \/records\/1\/cpuCores: /)
  t.match(problems, /evidence\/broken\.yaml: /)

  // Cross-checks run on files that pass the schema.
  writeFileSync(join(dir, 'evidence', 'bad-source.yaml'), `schemaVersion: 1
source: { id: other-name, title: A benchmark, url: 'https://example.org/bench', published: 2024-05, ranBy: Someone }
records:
  - { id: one, mesh: linkerd, meshVersion: "2.14", component: linkerd-proxy, party: independent, setup: {}, statistic: mean, memoryMiB: 10, note: a }
  - { id: one, mesh: linkerd, meshVersion: "2.14", component: no-such-component, covers: [linkerd-destination, nope], party: independent, setup: {}, statistic: mean, note: b }
  - { id: three, mesh: teleport, meshVersion: "1", component: agent, party: independent, setup: {}, statistic: max, cpuCores: 0.1, note: c }
  - { id: four, mesh: teleport, meshVersion: "1", component: agent, engine: teleport-agent, party: independent, setup: {}, statistic: max, cpuCores: 0.1, note: d }
  - { id: five, mesh: linkerd, meshVersion: "2.14", component: linkerd-proxy, engine: envoy, party: independent, setup: {}, statistic: max, cpuCores: 0.1, note: e }
  - { id: six, mesh: envoy-gateway, meshVersion: "1.2", component: gateway, engine: envoy, party: project, setup: {}, statistic: mean, cpuCores: 0.1, note: f }
`)
  writeFileSync(join(dir, 'evidence', 'second-bad.yaml'), readFileSync(join(SHIPPED_MODELS, 'evidence', 'kinvolk-2019.yaml'), 'utf8').replace('id: kinvolk-2019', 'id: second-bad'))
  writeFileSync(join(dir, 'evidence', 'broken.yaml'), 'schemaVersion: 1\n')
  error = undefined
  try { loadModels(dir) } catch (err) { error = err }
  const semantic = (error as ModelError).problems.join('\n')
  t.match(semantic, /bad-source\.yaml: \/source\/id: must equal the file name \("bad-source"\)/)
  t.match(semantic, /bad-source\.yaml: \/records\/1\/id: duplicate record id "one"/)
  t.match(semantic, /bad-source\.yaml: \/records\/1\/component: mesh "linkerd" has no component "no-such-component"/)
  t.match(semantic, /bad-source\.yaml: \/records\/1\/covers\/1: mesh "linkerd" has no component "nope"/)
  t.match(semantic, /bad-source\.yaml: \/records\/1: needs cpuCores or memoryMiB/)
  // Outside the modelled meshes a record must name an engine a modelled component runs; inside, its component's.
  t.match(semantic, /bad-source\.yaml: \/records\/2\/engine: required: mesh "teleport" is not modelled/)
  t.match(semantic, /bad-source\.yaml: \/records\/3\/engine: no modelled component runs engine "teleport-agent"/)
  t.match(semantic, /bad-source\.yaml: \/records\/4\/engine: "envoy" differs from linkerd\/linkerd-proxy's engine "linkerd2-proxy"/)
  t.notMatch(semantic, /records\/5/, 'Envoy Gateway\'s Envoy is evidence for the envoy engine')
  t.match(semantic, /broken\.yaml: \(root\): /)
})

t.test('a model set without evidence loads with an empty evidence base', async (t) => {
  const dir = t.testdir({})
  // models/fitted/ cites the evidence it was fitted to, so it goes with it
  cpSync(SHIPPED_MODELS, dir, { recursive: true, filter: (src) => !src.includes(`${SHIPPED_MODELS}/evidence`) && !src.includes(`${SHIPPED_MODELS}/fitted`) })
  t.equal(loadModels(dir).evidence.size, 0)
})

t.test('fitted figures without the evidence they cite stop loading', async (t) => {
  const dir = t.testdir({})
  cpSync(SHIPPED_MODELS, dir, { recursive: true, filter: (src) => !src.includes(`${SHIPPED_MODELS}/evidence`) })
  t.throws(() => loadModels(dir), /fitted\/linkerd\.yaml: \/components\/linkerd-proxy\/memoryMiB\/sources\/0: no evidence source/)
})

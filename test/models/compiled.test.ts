// Models compiled at build time (dist/models.json): used only when compiled from exactly the files in the
// models directory; any other directory, or an edited file, is parsed and validated from YAML as before.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { modelsHash, type CompiledModels } from '../../src/models/compiled.js'
import { compileModels, loadModels, ModelError } from '../../src/models/load.js'
import { SHIPPED_MODELS } from '../helpers.js'

/** A models as plain data, Maps included, to compare two loads. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)))

t.test('the compiled shipped models load to the same models as their YAML', async (t) => {
  // A plumbing guard (JSON round trip and the read path), not a check of any figure.
  const out = join(t.testdir({}), 'models.json')
  const compiled = compileModels(SHIPPED_MODELS, out)
  t.equal(compiled.hash, modelsHash(SHIPPED_MODELS))
  t.ok(Object.keys(compiled.files).includes('meshes/istio.yaml') && Object.keys(compiled.files).includes('defaults.yaml'), 'keyed by path in the models directory')
  t.same(plain(loadModels(SHIPPED_MODELS, { compiled: out })), plain(loadModels(SHIPPED_MODELS)))
})

t.test('the compiled values are what the service reads when the hash matches', async (t) => {
  const out = join(t.testdir({}), 'models.json')
  const compiled = compileModels(SHIPPED_MODELS, out)
  // Change a value in the JSON but not the hash: it shows through, so the YAML was not read.
  const edited = structuredClone(compiled) as CompiledModels & { files: Record<string, { name: string }> }
  const istio = edited.files['meshes/istio.yaml'] as { name: string }
  istio.name = 'Istio, as compiled'
  writeFileSync(out, JSON.stringify(edited))
  t.equal(loadModels(SHIPPED_MODELS, { compiled: out }).meshes.get('istio')?.name, 'Istio, as compiled')
  // Another hash (another directory, or an edited file): the JSON is ignored.
  writeFileSync(out, JSON.stringify({ ...edited, hash: 'f'.repeat(64) }))
  t.not(loadModels(SHIPPED_MODELS, { compiled: out }).meshes.get('istio')?.name, 'Istio, as compiled')
  // No file at all: the YAML.
  t.ok(loadModels(SHIPPED_MODELS, { compiled: join(t.testdir({}), 'absent.json') }).meshes.has('istio'))
})

t.test('a file edited after the build is validated from its YAML: every problem listed, the compiled JSON ignored', async (t) => {
  const dir = t.testdir({})
  const models = join(dir, 'models')
  cpSync(SHIPPED_MODELS, models, { recursive: true })
  const out = join(dir, 'models.json')
  compileModels(models, out)
  const file = join(models, 'meshes', 'linkerd.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^schemaVersion: .*$/m, 'schemaVersion: 99').replace(/^name: .*$/m, 'name: 7'))
  writeFileSync(join(models, 'defaults.yaml'), 'nodeType: 3\n')
  const error = t.throws(() => loadModels(models, { compiled: out })) as ModelError
  t.ok(error instanceof ModelError)
  t.match(error.problems.join('\n'), /meshes\/linkerd\.yaml: \/schemaVersion/)
  t.match(error.problems.join('\n'), /meshes\/linkerd\.yaml: \/name/)
  t.match(error.problems.join('\n'), /defaults\.yaml/)
})

t.test('the build step refuses broken models: nothing is compiled from them', async (t) => {
  const dir = t.testdir({ models: { meshes: { 'bad.yaml': 'schemaVersion: 2\nid: bad\n' } } })
  t.throws(() => compileModels(join(dir, 'models'), join(dir, 'models.json')), ModelError)
  t.throws(() => readFileSync(join(dir, 'models.json')), 'no file written')
})

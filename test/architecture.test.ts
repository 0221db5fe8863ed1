// The import graph of src/: no cycles, and no import up a layer, so that each module can be read, tested and changed
// from the bottom up. Imports are read from the sources (`from '...'`, `import '...'` and `import('...')` with a
// literal path), type-only imports included.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/config.js'

const SRC = join(PACKAGE_ROOT, 'src')

/**
 * The layers of src/, bottom first: a module imports from its own layer and the layers below it, never above.
 * CONTRIBUTING.md repeats this order.
 */
export const LAYERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['foundation: units, errors, configuration, logging, what may enter a PromQL query', /^src\/(units|errors|config|logging|promql-inputs)\.ts$/],
  ['models: the data files\' schemas, loading, validation', /^src\/models\//],
  ['schemas: the API\'s request and response schemas', /^src\/schemas\//],
  ['engine: the pure core', /^src\/engine\//],
  ['prometheus: reading a live cluster', /^src\/prometheus\//],
  ['encoders: CSV, sweep text, streams, the command\'s table', /^src\/encoders\//],
  ['plugins: the HTTP layer\'s cross-cutting parts', /^src\/plugins\//],
  ['routes', /^src\/routes\//],
  ['app: buildApp', /^src\/app\.ts$/],
  ['entry points: the server, the command, the client, the API document', /^src\/(server|cli|cli-cluster|client|openapi)\.ts$/]
]

const layerOf = (file: string): number => LAYERS.findIndex(([, pattern]) => pattern.test(file))

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** file -> the src files it imports (relative specifiers; .js names the .ts source). */
export function importGraph (files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1] as string)
    graph.set(file, specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts')).filter((f) => files.includes(f)))
  }
  return graph
}

/** Strongly connected components of more than one file (Tarjan): the import cycles. */
export function cycles (graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    indices.set(v, index); low.set(v, index); index++
    stack.push(v); onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) { visit(w); low.set(v, Math.min(low.get(v) as number, low.get(w) as number)) } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number))
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do { w = stack.pop() as string; onStack.delete(w); component.push(w) } while (w !== v)
      if (component.length > 1) found.push(component)
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return found
}

t.test('no import cycle in src/', async (t) => {
  const graph = importGraph(sources(SRC))
  t.ok(graph.size > 50, `${graph.size} modules read`)
  t.same(cycles(graph).map((c) => c.map((f) => relative(PACKAGE_ROOT, f)).sort()), [], 'no cycles')
})

t.test('every module of src/ has a layer, and imports nothing from a layer above its own', async (t) => {
  const graph = importGraph(sources(SRC))
  const up: string[] = []
  for (const [file, imports] of graph) {
    const from = relative(PACKAGE_ROOT, file)
    t.ok(layerOf(from) >= 0, `${from} has a layer`)
    for (const target of imports) {
      const to = relative(PACKAGE_ROOT, target)
      if (layerOf(to) > layerOf(from)) up.push(`${from} (${LAYERS[layerOf(from)]?.[0]}) imports ${to} (${LAYERS[layerOf(to)]?.[0]})`)
    }
  }
  t.same(up, [], 'no import up a layer')
})

t.test('the layer check finds an import up a layer (checked on a made-up pair)', async (t) => {
  t.ok(layerOf('src/engine/estimate.ts') < layerOf('src/routes/estimate.ts'))
  t.ok(layerOf('src/units.ts') < layerOf('src/schemas/common.ts'), 'units sit below the schemas')
})

t.test('the cycle finder finds a cycle (checked on a made-up graph)', async (t) => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])
  t.same(cycles(graph).map((c) => c.sort()), [['a', 'b', 'c']])
  t.same(cycles(new Map([['a', ['b']], ['b', []]])), [], 'none in a tree')
})

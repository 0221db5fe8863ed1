// Every example in README.md and docs/ that shows output is run against the service, listening on a real
// socket, and its output checked: a JSON block is a trimmed copy of the answer (every field it shows must be
// there with that value; a string starting with "…" stands for what was left out), other lines must match the
// answer's lines. The whole answer is kept as a golden file in test/golden/, as Infracost keeps its
// testdata: `npm run generate` (its last step, UPDATE_GOLDEN=1) rewrites them, and the diff shows what a change did.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { run } from '../src/cli.js'
import { PACKAGE_ROOT } from '../src/config.js'
import { generatedBlocks, renderGenerated } from './doc-tables.js'
import { shippedModels, testApp } from './helpers.js'

const UPDATE = process.env.UPDATE_GOLDEN === '1'
const GOLDEN = join(PACKAGE_ROOT, 'test', 'golden')
const DOCS = ['README.md', ...readdirSync(join(PACKAGE_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]

interface Example { doc: string, line: number, command: string, shown: string[], shownJson?: string }

/** Commands whose output depends on the moment (counters, memory) or that only compare: shown, not checked. */
const UNCHECKED = [/^diff /, /\/metrics/]

/** The examples of one Markdown file: `$ command` lines in a console block, the output after them or in the next block. */
function examples (doc: string): Example[] {
  const lines = readFileSync(join(PACKAGE_ROOT, doc), 'utf8').split('\n')
  const found: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```console') continue
    let j = i + 1
    const inBlock: Example[] = []
    while (j < lines.length && lines[j] !== '```') {
      const line = lines[j] as string
      if (line.startsWith('$ ')) {
        let command = line.slice(2)
        while (command.endsWith('\\')) command = command.slice(0, -1).trimEnd() + ' ' + (lines[++j] ?? '').trim()
        inBlock.push({ doc, line: j + 1, command, shown: [] })
      } else if (inBlock.length > 0) {
        inBlock[inBlock.length - 1]?.shown.push(line)
      }
      j++
    }
    // a lone command whose answer is the next ```json block
    const last = inBlock[inBlock.length - 1]
    if (last !== undefined && last.shown.length === 0 && lines[j + 1] === '```json') {
      const end = lines.indexOf('```', j + 2)
      last.shownJson = lines.slice(j + 2, end).join('\n')
    }
    found.push(...inBlock.filter((e) => e.shown.some((l) => l.trim() !== '') || e.shownJson !== undefined))
    i = j
  }
  return found
}

const word = (command: string, flag: string): string | undefined => new RegExp(`${flag} '([^']*)'`).exec(command)?.[1]

/** Run a `curl -s …` or `npx meshcost …` line as written, against the service at `origin`. */
async function execute (example: Example, origin: string, previousBody: string | undefined): Promise<string> {
  const { command } = example
  if (command.startsWith('npx meshcost ')) {
    let out = ''
    await run(command.slice('npx meshcost '.length).split(/\s+/), { out: (s) => { out += s }, err: (s) => { out += s } })
    return out
  }
  const [curl, ...pipes] = command.split(' | ')
  const url = /curl -s '?(localhost:3000[^' ]*)'?/.exec(curl ?? '')?.[1]
  if (url === undefined) throw new Error(`${example.doc}:${example.line}: not a command the docs test runs: ${command}`)
  let body = word(curl ?? '', '-d')
  if (body?.startsWith('…')) body = previousBody
  const headers: Record<string, string> = {}
  for (const m of (curl ?? '').matchAll(/-H '([^:]+): ([^']*)'/g)) headers[(m[1] as string).toLowerCase()] = m[2] as string
  const res = await request(`${origin}${url.slice('localhost:3000'.length)}`, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body }) })
  let text = await res.body.text()
  if (/^application\/(problem\+)?json/.test(String(res.headers['content-type'])) && pipes.length === 0 && example.shownJson !== undefined) {
    text = JSON.stringify(JSON.parse(text), null, 2) + '\n'
  }
  for (const pipe of pipes) {
    const head = /^head -(\d+)$/.exec(pipe.trim())
    if (head === null) throw new Error(`${example.doc}:${example.line}: unsupported pipe: ${pipe}`)
    text = text.split(/(?<=\n)/).slice(0, Number(head[1])).join('')
  }
  return text
}

/** What varies from run to run: the charge period (next month), request ids. */
const normalise = (text: string): string => text
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
  .replace(/"requestId": ?"[^"]*"/g, '"requestId":"<request-id>"')

/** Does `shown` (a trimmed copy) match `actual`? Objects: each shown key (a request id differs every time); arrays: each shown item, in order, skipping "…" items. */
function matches (shown: unknown, actual: unknown, at: string, problems: string[]): void {
  if (typeof shown === 'string' && shown.startsWith('…')) return
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) { problems.push(`${at}: not an array`); return }
    const items = shown.filter((s) => !(typeof s === 'string' && s.startsWith('…')))
    const trimmed = items.length < shown.length
    if (!trimmed && items.length !== actual.length) problems.push(`${at}: ${actual.length} items, the doc shows ${items.length}`)
    let k = 0
    for (const [i, item] of items.entries()) {
      if (!trimmed) { matches(item, actual[i], `${at}/${i}`, problems); continue }
      // a trimmed array shows some items, in order: find each one
      const shownItem = item as Record<string, unknown>
      const key = ['id', 'mesh'].find((name) => shownItem?.[name] !== undefined)
      if (key !== undefined) {
        const found = actual.findIndex((a, index) => index >= k && (a as Record<string, unknown>)[key] === shownItem[key])
        k = found === -1 ? actual.length : found
      }
      matches(item, actual[k], `${at}/${k}`, problems)
      k++
    }
    return
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object') { problems.push(`${at}: not an object`); return }
    for (const [key, value] of Object.entries(shown)) if (key !== 'requestId') matches(value, (actual as Record<string, unknown>)[key], `${at}/${key}`, problems)
    return
  }
  if (shown !== actual) problems.push(`${at}: the doc shows ${JSON.stringify(shown)}, the service answers ${JSON.stringify(actual)}`)
}

function checkShown (t: Test, example: Example, actual: string): void {
  const where = `${example.doc}:${example.line}`
  const problems: string[] = []
  if (example.shownJson !== undefined) {
    matches(JSON.parse(example.shownJson) as unknown, JSON.parse(actual) as unknown, '', problems)
  } else {
    const actualLines = actual.split(/\r?\n/) // CSV lines end in CRLF (RFC 4180)
    const shown = example.shown.filter((l, i, all) => !(l === '' && i === all.length - 1))
    for (const [i, line] of shown.entries()) {
      if (line.startsWith('{')) matches(JSON.parse(line) as unknown, JSON.parse(actualLines[i] ?? 'null') as unknown, `line ${i + 1}`, problems)
      else if (normalise(line) !== normalise(actualLines[i] ?? '')) problems.push(`line ${i + 1}: the doc shows\n  ${line}\nthe service answers\n  ${actualLines[i] ?? '(nothing)'}`)
    }
  }
  t.same(problems, [], `${where}: ${example.command}`)
}

t.test('every example in the docs that shows output is what the running service answers', async (t) => {
  const app = await testApp(t, undefined, { rateLimitMax: 0 })
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true })
  const expectedGoldens = new Set<string>()
  let checked = 0
  for (const doc of DOCS) {
    let previousBody: string | undefined
    const counts = new Map<string, number>()
    for (const example of examples(doc)) {
      if (UNCHECKED.some((re) => re.test(example.command))) continue
      const actual = await execute(example, origin, previousBody)
      previousBody = word(example.command, '-d') ?? previousBody
      checkShown(t, example, actual)
      checked++
      // golden: the whole answer, named after the doc and the example's place in it
      const base = doc.replace(/^docs\//, '').replace(/\.md$/, '').toLowerCase()
      const n = (counts.get(base) ?? 0) + 1
      counts.set(base, n)
      const name = `${base}-${n}.golden`
      expectedGoldens.add(name)
      const file = join(GOLDEN, name)
      if (UPDATE) writeFileSync(file, normalise(actual))
      else {
        let golden: string | undefined
        try { golden = readFileSync(file, 'utf8') } catch {}
        t.equal(normalise(actual), golden, `test/golden/${name} (${example.doc}:${example.line}); after a deliberate change: npm run generate`)
      }
    }
  }
  t.ok(checked >= 10, `${checked} examples checked`)
  if (!UPDATE) t.same(readdirSync(GOLDEN).filter((f) => !expectedGoldens.has(f)), [], 'no golden file is left over from a removed example')
})

t.test('the tables computed from the models are what the engine gives today (npm run generate rewrites them)', async (t) => {
  const blocks = generatedBlocks(shippedModels())
  const seen = new Set<string>()
  for (const doc of DOCS) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8')
    for (const m of text.matchAll(/<!-- generated:([a-z-]+) -->/g)) seen.add(m[1] as string)
    const fresh = renderGenerated(text, blocks)
    if (UPDATE) writeFileSync(join(PACKAGE_ROOT, doc), fresh)
    else t.equal(text, fresh, `${doc}: its generated blocks are current`)
  }
  // npm run validation writes the validation block (test/validation-docs.test.ts checks it); the others are here.
  t.same([...seen].sort(), [...Object.keys(blocks), 'validation'].sort(), 'every table has its place in docs/')
})

t.test('the README gives the two commands a new user needs, and stays a front door', async (t) => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  t.match(readme, 'npm ci && npm start')
  t.match(readme, 'npm ci && npm test')
  t.ok(readme.split('\n').length <= 200, `${readme.split('\n').length} lines`)
  for (const doc of ['api', 'models', 'decisions', 'integrations', 'operations', 'performance', 'testing']) t.match(readme, `(docs/${doc}.md)`, `links docs/${doc}.md`)
  t.match(readme, '(CONTRIBUTING.md)', 'links CONTRIBUTING.md')
  const models = readFileSync(join(PACKAGE_ROOT, 'docs', 'models.md'), 'utf8')
  t.match(models, /^## How to add a mesh$/m)
  t.match(models, /^## Glossary$/m)
  for (const term of ['basis', 'allocated cost', 'marginal cost', 'models', 'node catalog', 'price book', 'seed']) t.match(models, `- **${term}**`, `glossary: ${term}`)
})

t.test('the route tables of README.md and docs/api.md list every route the service serves, and no other', async (t) => {
  const app = await testApp(t)
  const spec = (await app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>()
  const served = new Set(Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)))
  // Served beside the API document, not in it.
  for (const route of ['GET /openapi.json', 'GET /openapi.yaml', 'GET /docs']) {
    t.equal((await app.inject(route.split(' ')[1] as string)).statusCode < 400, true, `${route} answers`)
    served.add(route)
  }
  for (const doc of ['README.md', 'docs/api.md']) {
    const listed = new Set<string>()
    for (const line of readFileSync(join(PACKAGE_ROOT, doc), 'utf8').split('\n')) {
      const cell = /^\| (`(GET|POST) [^|]*) \|/.exec(line)?.[1]
      if (cell === undefined) continue
      for (const m of cell.matchAll(/`(GET|POST) ([^`?]+)[^`]*`/g)) listed.add(`${m[1] as string} ${m[2] as string}`)
    }
    t.same([...served].filter((r) => !listed.has(r)), [], `${doc}: every served route is in its table`)
    t.same([...listed].filter((r) => !served.has(r)), [], `${doc}: every route in its table is served`)
  }
})

t.test('the CSV headers the docs show are the service\'s', async (t) => {
  const { SWEEP_COLUMNS, COMPONENT_COLUMNS } = await import('../src/encoders/csv.js')
  const headers = [SWEEP_COLUMNS, COMPONENT_COLUMNS].map((c) => c.join(','))
  for (const doc of DOCS) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8')
    for (const m of text.matchAll(/`((?:x_MeshId|ChargePeriodStart),[^`]*)`/g)) {
      const shown = (m[1] as string).replace(/,…$/, '')
      t.ok(headers.some((h) => h.startsWith(shown)), `${doc}: \`${m[1] as string}\` begins a header the service writes`)
    }
  }
})

// scripts/bundle.ts: the service as one file (dist/server.js), which npm start and the image run. Built here
// afresh from src/, then started as a process and used over a real socket: the parts a bundle can break are
// the packages that find files next to their own modules (the Swagger UI, pino), the CommonJS packages'
// require() inside an ES module, the package root found from the bundle's folder, and the start-up checks.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { request } from 'undici'
import { PACKAGE_ROOT } from '../src/config.js'

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string, scripts: Record<string, string> }
// t.testdir lies under the package root, so the bundle finds package.json, models/ and node_modules/ above it.
const dir = t.testdir({})
const BUNDLE = join(dir, 'server.js')
await promisify(execFile)(join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx'), [join(PACKAGE_ROOT, 'scripts', 'bundle.ts'), BUNDLE])

interface Started { child: ChildProcess, output: string[], address: Promise<string>, exit: Promise<[number | null]> }

function start (env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [BUNDLE], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  const address = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited (${code}) before listening:\n${output.join('')}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString())
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''))
      if (match?.[1]) resolve(match[1])
    })
  })
  address.catch(() => undefined)
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  return { child, output, address, exit: once(child, 'exit') as Promise<[number | null]> }
}

t.test('npm start runs the bundle that npm run build writes', async (t) => {
  t.match(pkg.scripts.build, /tsx scripts\/bundle\.ts/)
  t.match(pkg.scripts.start, /node dist\/server\.js$/)
})

t.test('the bundle serves every kind of route, and exits 0 on SIGTERM', async (t) => {
  const server = start()
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.address

  const ready = await request(`${url}/readyz`)
  t.equal(ready.statusCode, 200)
  const models = (await ready.body.json() as { models: { meshes: number } }).models
  t.ok(models.meshes >= 6, `the shipped models (${models.meshes} meshes)`)

  const estimate = await request(`${url}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":100,"meshes":["istio"]}' })
  t.equal(estimate.statusCode, 200)
  t.match(await estimate.body.json(), { estimates: [{ mesh: 'istio', totals: { cpuCores: { expected: Number } } }] })

  const invalid = await request(`${url}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":-1}' })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(await invalid.body.json(), { status: 400, errors: [{ pointer: '/pods' }] }, 'a problem document naming the field')

  const openapi = await request(`${url}/openapi.json`)
  t.match(await openapi.body.json(), { openapi: '3.1.0', info: { title: 'meshcost', version: pkg.version } })

  // @fastify/swagger-ui, bundled, still serves the UI's files from its installed folder (scripts/bundle.ts).
  const docs = await request(`${url}/docs/`)
  t.equal(docs.statusCode, 200)
  t.match(await docs.body.text(), /swagger-ui/)
  const css = await request(`${url}/docs/static/swagger-ui.css`)
  t.equal(css.statusCode, 200)
  t.ok((await css.body.text()).length > 10_000, 'the Swagger UI stylesheet, from @fastify/swagger-ui\'s folder')
  const logo = await request(`${url}/docs/static/logo.svg`)
  t.equal(logo.statusCode, 200)
  t.match(await logo.body.text(), /<svg/)

  const metrics = await request(`${url}/metrics`)
  t.equal(metrics.statusCode, 200)
  t.match(await metrics.body.text(), /http_requests_total|process_cpu/)

  server.child.kill('SIGTERM')
  const [code] = await server.exit
  t.equal(code, 0)
  t.match(server.output.join(''), /"statusCode":400,.*"msg":"request completed"/, 'JSON request logs through pino, outside the bundle')
})

t.test('the bundle still stops on a broken model directory, listing every problem', async (t) => {
  const models = t.testdir({ meshes: { 'bad.yaml': 'schemaVersion: 2\nid: bad\n' } })
  const server = start({ MODELS_DIR: models })
  const [code] = await server.exit
  t.equal(code, 1)
  const output = server.output.join('')
  t.match(output, /meshcost cannot start: invalid model data/)
  t.match(output, /meshes\/bad\.yaml: \/schemaVersion/)
  t.match(output, /defaults\.yaml/, 'the missing defaults file is listed too')
})

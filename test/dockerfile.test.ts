// No Docker engine runs on these machines, so the image is checked three ways: the Dockerfile is linted,
// its production rules are asserted, and what it builds is emulated: compiled output, production
// dependencies only, started as the image starts it and probed with the image's own HEALTHCHECK.
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/config.js'

const run = promisify(execFile)
const dockerfile = readFileSync(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8')
const lintBin = join(PACKAGE_ROOT, 'node_modules', '.bin', 'dockerfile-utils')

async function lint (file: string): Promise<{ code: number, output: string }> {
  try {
    const { stdout, stderr } = await run(lintBin, ['lint', file])
    return { code: 0, output: stdout + stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, output: e.stdout + e.stderr }
  }
}

t.test('the Dockerfile lints clean, and the linter does catch a broken one', async (t) => {
  const clean = await lint(join(PACKAGE_ROOT, 'Dockerfile'))
  t.equal(clean.code, 0, clean.output)
  const dir = t.testdir({ Dockerfile: dockerfile.replace('HEALTHCHECK --interval', 'HEALTHCHEK --interval') })
  const broken = await lint(join(dir, 'Dockerfile'))
  t.not(broken.code, 0, 'an unknown instruction fails the lint')
})

t.test('production rules', async (t) => {
  t.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage')
  t.match(dockerfile, /npm ci --omit=dev/, 'production dependencies only')
  t.match(dockerfile, /^USER node$/m, 'runs as the image\'s non-root user')
  t.match(dockerfile, /^FROM node:24-/m, 'Node 24, the current LTS')
  t.notMatch(dockerfile, /--chown/, 'the application is owned by root, not by the user that runs it')
  t.match(dockerfile, /^RUN npm run build && find dist \\\( -name '\*\.d\.ts' -o -name '\*\.map' \\\) -delete$/m, 'the build stage runs npm run build, the one build, and keeps no declarations or source maps')
  t.match(dockerfile, /AbortSignal\.timeout\(/, 'the HEALTHCHECK\'s request has a time-out of its own')
  t.match(dockerfile, /^HEALTHCHECK /m)
  t.match(dockerfile, /^CMD \["node", "dist\/server\.js"\]$/m, 'node itself, not npm, receives the signals; the bundle (scripts/bundle.ts)')
  const build = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).scripts.build as string
  t.ok(build.indexOf('scripts/precompile.ts') < build.indexOf('scripts/bundle.ts'), 'npm run build compiles the validators and serialisers before the bundle that holds them')
  for (const script of build.match(/scripts\/[a-z-]+\.ts/g) ?? []) t.match(dockerfile, script, `the build stage has ${script}`)
  t.match(dockerfile, /HOST=0\.0\.0\.0/, 'listens beyond loopback inside a container')
  const ignored = readFileSync(join(PACKAGE_ROOT, '.dockerignore'), 'utf8')
  for (const path of ['node_modules', '.git', '.env*']) t.match(ignored, path, `.dockerignore keeps ${path} out`)
})

t.test('the image, emulated: built output on production dependencies, probed by its HEALTHCHECK, stopped by SIGTERM', { timeout: 240_000 }, async (t) => {
  const image = t.testdir({})
  cpSync(join(PACKAGE_ROOT, 'package.json'), join(image, 'package.json'))
  cpSync(join(PACKAGE_ROOT, 'package-lock.json'), join(image, 'package-lock.json'))
  cpSync(join(PACKAGE_ROOT, 'models'), join(image, 'models'), { recursive: true })
  // as the build stage does, but into the emulated image
  const tsc = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc')
  const config = join(image, 'tsconfig.image.json')
  writeFileSync(config, JSON.stringify({ extends: join(PACKAGE_ROOT, 'tsconfig.build.json'), compilerOptions: { rootDir: PACKAGE_ROOT, outDir: join(image, 'dist') }, include: [join(PACKAGE_ROOT, 'src')] }))
  await run(tsc, ['-p', config])
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: image })
  const tsx = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx')
  await run(tsx, [join(PACKAGE_ROOT, 'scripts', 'compile-models.ts'), join(image, 'models'), join(image, 'dist', 'models.json')])
  await run(tsx, [join(PACKAGE_ROOT, 'scripts', 'precompile.ts'), join(image, 'dist', 'schemas.cjs')])
  await run(tsx, [join(PACKAGE_ROOT, 'scripts', 'bundle.ts'), join(image, 'dist', 'server.js'), join(image, 'dist', 'schemas.cjs')])

  const env = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production' }
  const server = spawn('node', ['dist/server.js'], { cwd: image, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { server.kill('SIGKILL') })
  let output = ''
  const port = await new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    server.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    server.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
  })

  const healthcheck = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)?.[1]
  t.ok(healthcheck, 'HEALTHCHECK uses the exec form')
  const [command, ...args] = JSON.parse(healthcheck ?? '[]') as string[]
  const probe = await run(command ?? 'false', args, { env: { ...env, PORT: port } }).then(() => 0, (err: { code: number }) => err.code)
  t.equal(probe, 0, 'the HEALTHCHECK passes against the running service')
  t.notMatch(output, /schemas compiled at start-up/, 'every validator and serialiser came from the build (src/plugins/precompiled.ts)')

  server.kill('SIGTERM')
  const [code] = await once(server, 'exit')
  t.equal(code, 0, 'exits 0 on SIGTERM')
})

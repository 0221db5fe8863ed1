// npm run build: the service as one file, dist/server.js, which `npm start` and the image run. Node 20's
// module loader spends about half of start-up resolving, reading and compiling the few hundred files of
// fastify, undici, prom-client, typebox, ajv and our own modules (see docs/performance.md); one file of
// the same code loads in a fraction of that. The code is the same: esbuild only concatenates the modules
// (no minifying, so stack traces keep their names).
//
//   tsx scripts/bundle.ts [outFile] [schemasFile]     (default dist/server.js, dist/schemas.cjs)
//
// Kept outside the bundle, loaded from node_modules as before: pino and pino-pretty. pino starts its
// transports (pino-pretty on a terminal) in worker threads from files it finds next to its own modules.
import { build, type Plugin } from 'esbuild'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PACKAGE_ROOT } from '../src/config.js'

export const EXTERNAL = ['pino', 'pino-pretty']

// @fastify/swagger-ui serves the Swagger UI's files from its own folder, which it finds through __dirname (in
// two places); a bundle has no __dirname of its modules. Those two are pointed at the installed package's
// folder, resolved at run time. Loading the plugin and @fastify/static from node_modules instead took a
// fifth of what start-up had left. Another use in a later version fails the build here rather than at run time.
const SWAGGER_UI_DIRNAME = { 'index.js': 'swaggerUiFolder()', 'lib/routes.js': "require('node:path').join(swaggerUiFolder(), 'lib')" }
const swaggerUiFolder: Plugin = {
  name: 'swagger-ui-folder',
  setup (build) {
    build.onLoad({ filter: /[\\/]@fastify[\\/]swagger-ui[\\/](index|lib[\\/]routes)\.js$/ }, async ({ path }) => {
      const file = /lib[\\/]routes\.js$/.test(path) ? 'lib/routes.js' : 'index.js'
      const source = await readFile(path, 'utf8')
      const uses = source.match(/__dirname/g)?.length ?? 0
      if (uses !== 1) throw new Error(`@fastify/swagger-ui's ${file} uses __dirname ${uses} times, not once: check scripts/bundle.ts`)
      return { loader: 'js', contents: source.replace('__dirname', SWAGGER_UI_DIRNAME[file]) }
    })
  }
}

// dist/schemas.cjs, the validators and serialisers npm run build compiled (src/plugins/precompiled.ts), goes
// into the bundle: its requires of Ajv's and fast-json-stringify's runtime parts then resolve to the copies
// the bundle holds. Another file (a test's) is still read at run time. npm run build writes it first.
const holdPrecompiled = (schemasFile: string): Plugin => ({
  name: 'hold-precompiled-schemas',
  setup (build) {
    build.onLoad({ filter: /[\\/]src[\\/]plugins[\\/]precompiled-file\.ts$/ }, () => ({
      loader: 'js',
      resolveDir: join(PACKAGE_ROOT, 'src', 'plugins'),
      contents: [
        "import { createRequire } from 'node:module'",
        `import precompiled from ${JSON.stringify(schemasFile)}`,
        'export function requirePrecompiled (file) { return file === undefined ? precompiled : createRequire(import.meta.url)(file) }'
      ].join('\n')
    }))
  }
})

export async function bundle (outFile: string, schemasFile = join(PACKAGE_ROOT, 'dist', 'schemas.cjs')): Promise<void> {
  await build({
    entryPoints: [join(PACKAGE_ROOT, 'src', 'server.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    plugins: [holdPrecompiled(schemasFile), swaggerUiFolder],
    // The CommonJS packages inside an ES module bundle call require() for Node's built-ins.
    banner: {
      js: [
        "import { createRequire as createRequireForBundle } from 'node:module'",
        'const require = createRequireForBundle(import.meta.url)',
        "const swaggerUiFolder = () => require('node:path').dirname(require.resolve('@fastify/swagger-ui'))"
      ].join('\n')
    },
    logLevel: 'warning',
    legalComments: 'none'
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outFile = resolve(process.argv[2] ?? join(PACKAGE_ROOT, 'dist', 'server.js'))
  await bundle(outFile, process.argv[3] === undefined ? undefined : resolve(process.argv[3]))
  console.log(`bundled: src/server.ts -> ${outFile}`)
}

// npm run build: the service as one file, dist/server.js, which `npm start` and the image run. Node 20's
// module loader spends about half of start-up resolving, reading and compiling the few hundred files of
// fastify, undici, prom-client, typebox, ajv and our own modules (see docs/performance.md); one file of
// the same code loads in a fraction of that. The code is the same: esbuild only concatenates the modules
// (no minifying, so stack traces keep their names).
//
//   tsx scripts/bundle.ts [outFile]     (default dist/server.js)
//
// Kept outside the bundle, loaded from node_modules as before:
// - pino, pino-pretty: pino starts its transports (pino-pretty on a terminal) in worker threads from
//   files it finds next to its own modules;
// - @fastify/swagger-ui: it serves the Swagger UI's files from its own folder.
import { build } from 'esbuild'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PACKAGE_ROOT } from '../src/config.js'

export const EXTERNAL = ['pino', 'pino-pretty', '@fastify/swagger-ui']

export async function bundle (outFile: string): Promise<void> {
  await build({
    entryPoints: [join(PACKAGE_ROOT, 'src', 'server.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // The CommonJS packages inside an ES module bundle call require() for Node's built-ins.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    logLevel: 'warning',
    legalComments: 'none'
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outFile = resolve(process.argv[2] ?? join(PACKAGE_ROOT, 'dist', 'server.js'))
  await bundle(outFile)
  console.log(`bundled: src/server.ts -> ${outFile}`)
}

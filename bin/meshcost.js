#!/usr/bin/env node
// The meshcost command. Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through
// the prepare script); from a checkout without dist/, or with MESHCOST_FROM_SOURCE=1, runs src/ through tsx.
import { existsSync } from 'node:fs'

const compiled = new URL('../dist/src/cli.js', import.meta.url)
let cli
if (process.env.MESHCOST_FROM_SOURCE !== '1' && existsSync(compiled)) {
  cli = await import(compiled.href)
} else {
  try {
    const { register } = await import('tsx/esm/api')
    register()
  } catch {
    console.error('meshcost: dist/ is missing and tsx is not installed: run `npm run build` first')
    process.exit(1)
  }
  cli = await import(new URL('../src/cli.ts', import.meta.url).href)
}
process.exitCode = await cli.run(process.argv.slice(2))

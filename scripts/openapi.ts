// npx tsx scripts/openapi.ts (step 3 of npm run generate) writes openapi/openapi.json, the one committed API document
// ... --check exits 1 if the committed file differs from what the code generates
// The service serves it live as /openapi.json and /openapi.yaml; test/openapi.test.ts checks both against this file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { OPENAPI_DIR, OPENAPI_FILE, renderOpenApi } from '../src/openapi.js'

const json = await renderOpenApi()

if (process.argv.includes('--check')) {
  let committed: string | undefined
  try { committed = readFileSync(OPENAPI_FILE, 'utf8') } catch {}
  if (committed !== json) console.error('openapi/openapi.json is stale: run npm run generate')
  process.exit(committed === json ? 0 : 1)
}
mkdirSync(OPENAPI_DIR, { recursive: true })
writeFileSync(OPENAPI_FILE, json)
console.log('wrote openapi/openapi.json')

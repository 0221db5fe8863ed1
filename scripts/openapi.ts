// npm run openapi          writes openapi/openapi.json and openapi/openapi.yaml
// npm run openapi -- --check   exits 1 if the committed files differ from what the code generates
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { OPENAPI_DIR, renderOpenApi } from '../src/openapi.js'

const { json, yaml } = await renderOpenApi()
const files: Array<[string, string]> = [['openapi.json', json], ['openapi.yaml', yaml]]

if (process.argv.includes('--check')) {
  const stale = files.filter(([name, text]) => {
    try { return readFileSync(join(OPENAPI_DIR, name), 'utf8') !== text } catch { return true }
  })
  for (const [name] of stale) console.error(`openapi/${name} is stale: run npm run openapi`)
  process.exit(stale.length > 0 ? 1 : 0)
}
mkdirSync(OPENAPI_DIR, { recursive: true })
for (const [name, text] of files) writeFileSync(join(OPENAPI_DIR, name), text)
console.log(`wrote ${files.map(([n]) => `openapi/${n}`).join(', ')}`)

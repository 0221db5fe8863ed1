// The build's half of precompiled.ts: standalone code for every schema an app compiled, in one CommonJS
// file. Ajv writes its validators as a module (standaloneCode); fast-json-stringify writes each serialiser
// as a module (mode 'standalone'). Each module runs in a function scope of its own inside the file, and
// every function is exported under the key start-up looks it up by (schemaKey: options and schema).
import { renameSync, writeFileSync } from 'node:fs'
import standaloneCode from 'ajv/dist/standalone/index.js'
import fastJsonStringify from 'fast-json-stringify'
import { PRECOMPILED_FORMAT, type CompiledSchema } from './precompiled.js'
import { createAjv } from './validation.js'

/** The source of dist/schemas.cjs for these schemas, by key. */
export function precompiledSource (schemas: ReadonlyMap<string, CompiledSchema>): string {
  const parts = [
    '// Written by npm run build (scripts/precompile.ts) from the schemas the app compiled; do not edit.',
    "'use strict'",
    'const validators = {}',
    'const serializers = {}'
  ]
  // One Ajv per set of options (bodies, and the coerced parts of a request), as at run time.
  const byOptions = new Map<string, Map<string, object>>()
  for (const [key, { kind, options, schema }] of schemas) {
    if (kind !== 'validator') continue
    const group = JSON.stringify(options)
    if (!byOptions.has(group)) byOptions.set(group, new Map())
    byOptions.get(group)?.set(key, schema)
  }
  for (const [options, group] of byOptions) {
    const ajv = createAjv({ ...JSON.parse(options) as object, code: { source: true } })
    for (const [key, schema] of group) ajv.addSchema(schema, key)
    const code = standaloneCode.default(ajv, Object.fromEntries([...group.keys()].map((key) => [key, key])))
    parts.push(`;(function (exports) {\n${code}\n})(validators)`)
  }
  for (const [key, { kind, options, schema }] of schemas) {
    if (kind !== 'serializer') continue
    const code = fastJsonStringify(schema, { ...options, mode: 'standalone' }) as unknown as string
    parts.push(`serializers[${JSON.stringify(key)}] = (function (module) {\n${code}\nreturn module.exports\n})({ exports: {} })`)
  }
  parts.push(`module.exports = { format: ${PRECOMPILED_FORMAT}, validators, serializers }`, '')
  return parts.join('\n')
}

export function writePrecompiled (schemas: ReadonlyMap<string, CompiledSchema>, file: string): void {
  writeFileSync(`${file}.tmp`, precompiledSource(schemas))
  renameSync(`${file}.tmp`, file)
}

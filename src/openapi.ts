// The OpenAPI document as the app generates it from its TypeBox schemas: committed once, as openapi/openapi.json,
// and checked for drift; the service serves it live as JSON and YAML.
import { join } from 'node:path'
import { buildApp } from './app.js'
import { createConfig, PACKAGE_ROOT } from './config.js'
import type { Models } from './models/load.js'

export const OPENAPI_DIR = join(PACKAGE_ROOT, 'openapi')
export const OPENAPI_FILE = join(OPENAPI_DIR, 'openapi.json')

export async function renderOpenApi (models?: Models): Promise<string> {
  const app = await buildApp(createConfig({}, { logLevel: 'silent' }), { logger: false, ...(models ? { models } : {}) })
  try {
    await app.ready()
    return JSON.stringify(app.swagger(), null, 2) + '\n'
  } finally {
    await app.close()
  }
}

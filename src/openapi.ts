// The OpenAPI document as the app generates it from its TypeBox schemas; written to openapi/ and checked for drift.
import { join } from 'node:path'
import { buildApp } from './app.js'
import { createConfig, PACKAGE_ROOT } from './config.js'
import type { Catalog } from './models/load.js'

export const OPENAPI_DIR = join(PACKAGE_ROOT, 'openapi')

export async function renderOpenApi (catalog?: Catalog): Promise<{ json: string, yaml: string }> {
  const app = await buildApp(createConfig({}, { logLevel: 'silent' }), { logger: false, ...(catalog ? { catalog } : {}) })
  try {
    await app.ready()
    return { json: JSON.stringify(app.swagger(), null, 2) + '\n', yaml: app.swagger({ yaml: true }) }
  } finally {
    await app.close()
  }
}

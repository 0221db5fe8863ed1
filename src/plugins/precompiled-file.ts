// Reads dist/schemas.cjs (precompiled.ts). The server's bundle replaces this module with one that holds the
// file itself (scripts/bundle.ts), so that its requires of Ajv's and fast-json-stringify's runtime parts
// resolve to the bundle's copies instead of loading those packages a second time from node_modules.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../config.js'

export const PRECOMPILED_FILE = join(PACKAGE_ROOT, 'dist', 'schemas.cjs')

/** The module at `file`, by default dist/schemas.cjs (throws MODULE_NOT_FOUND when there is none). */
export function requirePrecompiled (file = PRECOMPILED_FILE): unknown {
  return createRequire(import.meta.url)(file)
}

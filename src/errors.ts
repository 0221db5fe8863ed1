// The one error a request can fail with: an HTTP status, a problem type and the fields at fault.
// plugins/problem.ts turns it into an RFC 9457 problem document; nothing else builds one by hand.

/** One broken rule: a JSON pointer to the field, and the rule it broke. */
export interface FieldError { pointer: string, detail: string }

export type ProblemStatus = 400 | 404 | 422 | 503

/** The most field errors a problem document lists in errors[]; past it, its detail says how many more there are. */
export const MAX_LISTED_ERRORS = 20

/**
 * How much of a list of field errors an answer carries. A 64 KiB body can break 32,000 rules (an array of
 * wrong items); listing each, twice, made a 3 MB answer out of it. Sizes are bytes of the serialized JSON
 * string (UTF-8, escapes included), so that the document's size is bounded whatever the client sent.
 */
export const ERROR_LIMITS = {
  /** entries in errors[] */
  listed: MAX_LISTED_ERRORS,
  /** errors[] as a whole: the entries stop short of it even when fewer than `listed` */
  listedBytes: 8 * 1024,
  /** one error's pointer (a key can be as long as the body) */
  pointerBytes: 256,
  /** one error's detail: room for the longest the service writes (a list of priced regions) */
  detailBytes: 1024,
  /** errors named in a problem's detail, before "and M more" */
  inDetail: 5,
  /** the errors named in a problem's detail, together */
  inDetailBytes: 1536
} as const

/**
 * Bytes `text` takes as a JSON string's contents, at most: 6 for a control character or an unpaired surrogate
 * (\u001f), 2 for a quote or backslash, else its UTF-8 length.
 */
function charBytes (text: string, i: number): { bytes: number, units: number } {
  const c = text.charCodeAt(i)
  if (c < 0x20) return { bytes: 6, units: 1 }
  if (c === 0x22 || c === 0x5c) return { bytes: 2, units: 1 }
  if (c < 0x80) return { bytes: 1, units: 1 }
  if (c < 0x800) return { bytes: 2, units: 1 }
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1)
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 }
  }
  if (c >= 0xd800 && c <= 0xdfff) return { bytes: 6, units: 1 }
  return { bytes: 3, units: 1 }
}

const ELLIPSIS = '…'
const ELLIPSIS_BYTES = 3

/** At most maxBytes (JSON-escaped UTF-8, see charBytes): the text itself, or its start and an ellipsis. */
export function clipText (text: string, maxBytes: number): string {
  if (text.length * 6 <= maxBytes) return text
  let bytes = 0
  let cut = -1 // where the text is cut if it does not fit: the last point with room for the ellipsis
  for (let i = 0; i < text.length;) {
    const { bytes: b, units } = charBytes(text, i)
    if (cut < 0 && bytes + b > maxBytes - ELLIPSIS_BYTES) cut = i
    bytes += b
    if (bytes > maxBytes) return text.slice(0, cut) + ELLIPSIS
    i += units
  }
  return text
}

/** Bytes of text as a JSON string's contents (see charBytes), quotes not counted. */
export function jsonBytes (text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length;) {
    const { bytes: b, units } = charBytes(text, i)
    bytes += b
    i += units
  }
  return bytes
}

/** One error within the limits of its pointer and its detail. */
export function clipError (error: FieldError): FieldError {
  const pointer = clipText(error.pointer, ERROR_LIMITS.pointerBytes)
  const detail = clipText(error.detail, ERROR_LIMITS.detailBytes)
  return pointer === error.pointer && detail === error.detail ? error : { pointer, detail }
}

/**
 * The first errors, each once and clipped, while there are fewer than `max` and their `bytes` stay within
 * maxBytes (the first is always listed); `more` counts the distinct errors left out.
 */
export function listErrors (errors: readonly FieldError[], max: number = ERROR_LIMITS.listed, maxBytes: number = ERROR_LIMITS.listedBytes,
  bytes: (error: FieldError) => number = (e) => jsonBytes(e.pointer) + jsonBytes(e.detail) + 27 /* {"pointer":"","detail":""}, */): { listed: FieldError[], more: number } {
  const seen = new Set<string>()
  const listed: FieldError[] = []
  let used = 0
  let full = false
  for (const error of errors) {
    const key = `${error.pointer}\n${error.detail}`
    if (seen.has(key)) continue
    seen.add(key)
    if (full) continue
    const clipped = clipError(error)
    const b = bytes(clipped)
    if (listed.length >= max || (listed.length > 0 && used + b > maxBytes)) { full = true; continue }
    listed.push(clipped)
    used += b
  }
  return { listed, more: seen.size - listed.length }
}

/**
 * The errors as one sentence for a problem's detail: each formatted, joined by "; ", and past a few of them
 * (ERROR_LIMITS.inDetail, inDetailBytes) "; and M more" for the rest, which errors[] goes on to list.
 */
export function describeErrors (errors: readonly FieldError[], format: (error: FieldError) => string = (e) => `${e.pointer} ${e.detail}`): string {
  const { listed, more } = listErrors(errors, ERROR_LIMITS.inDetail, ERROR_LIMITS.inDetailBytes, (e) => jsonBytes(format(e)) + 2)
  return listed.map(format).join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/**
 * A request that is well-formed JSON but cannot be answered as asked: a field that breaks a rule the schema
 * cannot state (400), an unknown id (404 or 422), a contradiction (422), a missing model (503).
 */
export class DomainError extends Error {
  constructor (
    /** every error, not only those a problem document lists */
    readonly errors: FieldError[],
    readonly status: ProblemStatus = 422,
    /** the problem type's last path segment: https://meshcost.dev/problems/<type> */
    readonly type = status === 400 ? 'invalid-request' : 'invalid-scenario',
    /** the problem's detail; by default each field and its rule (the first few, and how many more) */
    detail = describeErrors(errors, (e) => `${e.pointer}: ${e.detail}`)
  ) {
    super(detail)
    this.name = 'DomainError'
  }

  /** A 400 for a part of the request that breaks rules the schema cannot state: "The <part> is not valid: …". */
  static invalid (part: string, errors: FieldError[]): DomainError {
    return new DomainError(errors, 400, 'invalid-request', `The ${part} is not valid: ${describeErrors(errors)}`)
  }

  /** The same error with each field error rewritten (body pointers as query parameters, or into a sweep); the detail follows unless given. */
  mapErrors (map: (error: FieldError) => FieldError, detail?: string): DomainError {
    return new DomainError(this.errors.map(map), this.status, this.type, detail)
  }
}

// The one error a request can fail with: an HTTP status, a problem type and the fields at fault.
// plugins/problem.ts turns it into an RFC 9457 problem document; nothing else builds one by hand.

/** One broken rule: a JSON pointer to the field, and the rule it broke. */
export interface FieldError { pointer: string, detail: string }

export type ProblemStatus = 400 | 404 | 422 | 503

/**
 * A request that is well-formed JSON but cannot be answered as asked: a field that breaks a rule the schema
 * cannot state (400), an unknown id (404 or 422), a contradiction (422), a missing model (503).
 */
export class DomainError extends Error {
  constructor (
    readonly errors: FieldError[],
    readonly status: ProblemStatus = 422,
    /** the problem type's last path segment: https://meshcost.dev/problems/<type> */
    readonly type = status === 400 ? 'invalid-request' : 'invalid-scenario',
    /** the problem's detail; by default each field and its rule */
    detail = errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')
  ) {
    super(detail)
    this.name = 'DomainError'
  }

  /** A 400 for a part of the request that breaks rules the schema cannot state: "The <part> is not valid: …". */
  static invalid (part: string, errors: FieldError[]): DomainError {
    return new DomainError(errors, 400, 'invalid-request', `The ${part} is not valid: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`)
  }

  /** The same error with each field error rewritten (body pointers as query parameters, or into a sweep); the detail follows unless given. */
  mapErrors (map: (error: FieldError) => FieldError, detail?: string): DomainError {
    return new DomainError(this.errors.map(map), this.status, this.type, detail)
  }
}

/**
 * Text that may be stored or shown: no control characters other than tab and
 * line breaks (a NUL ends SQL text early, escape sequences rewrite terminals and
 * logs) and well-formed Unicode (no lone surrogate halves). Every string field
 * that comes from the wire is one of these.
 *
 * Written with zod's functional API (`zod/mini`), like the agent's messages:
 * the agent bundles these, and mini's schemas cost it a fraction of the
 * memory of zod's chained API. Both APIs share one core, so the hub uses these
 * inside its own schemas (`z.optional(text(64))`) and parses them the same way.
 */
import * as z from 'zod/mini';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` is safe text (see above). */
export const isSafeText = (s: string): boolean => !CONTROL.test(s) && !LONE_SURROGATE.test(s);

/** A string of `min`…`max` characters of safe text. */
export const text = (max: number, min = 0) =>
  z.string().check(z.minLength(min), z.maxLength(max), z.refine(isSafeText, 'must not contain control characters or invalid Unicode'));

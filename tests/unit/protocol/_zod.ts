import * as assert from 'uvu/assert';
import * as z from 'zod/mini';

/** A schema of either zod API (the agent's messages use zod/mini, the hub's the chained one). */
type Schema = z.core.$ZodType;

/**
 * The field paths a schema refuses `input` at, dotted ("samples.0.cpuPct"), without duplicates.
 * An unknown key of a strict object is reported at the key's own path, so `{ extra: 1 }` gives "extra".
 * Fails the test if the input is accepted.
 */
export function refusedAt(schema: Schema, input: unknown): string[] {
  const r = z.safeParse(schema, input);
  if (r.success) assert.unreachable(`should refuse ${JSON.stringify(input)?.slice(0, 200)}`);
  const paths = r.error!.issues.flatMap((i) => {
    const base = i.path.map(String);
    return i.code === 'unrecognized_keys' ? i.keys.map((k) => [...base, k].join('.')) : [base.join('.')];
  });
  return [...new Set(paths)];
}

/** Asserts the schema accepts `input` and returns the parsed value. */
export function accepted<S extends Schema>(schema: S, input: unknown): z.infer<S> {
  const r = z.safeParse(schema, input);
  if (!r.success) assert.unreachable(`should accept, got ${JSON.stringify(r.error.issues)}`);
  return r.data as z.infer<S>;
}

/** `JSON.parse` of an object with `key` added first as an own property, as a hostile sender would write it. */
export function withOwnKey(obj: object, key: string, value: unknown): Record<string, unknown> {
  const rest = JSON.stringify(obj).slice(1);
  return JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}${rest === '}' ? '' : ','}${rest}`);
}

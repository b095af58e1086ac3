/**
 * Per-row record builders, compiled once per column set by the file sources (csv, snowflake-json).
 * A record built as one object literal has a fixed shape and needs no keyed stores: about twice as
 * fast per row as a loop. Column names enter the generated code only as JSON string literals, so a
 * CSV header or a JSON key cannot inject code.
 */

/**
 * The function `source` returns, compiled; `fallback` (the plain loop) for names an object literal
 * treats specially (`__proto__`), for duplicate names, and where code generation is disallowed
 * (node --disallow-code-generation-from-strings).
 *
 * @param source the body of a factory, `return function (...) { ... }`, given each column as a JSON
 *   string literal (same order as `columns`)
 * @param scope values that body refers to, by name
 */
export function compileRecordBuilder<F>(
  columns: readonly string[],
  source: (literals: string[]) => string,
  scope: Record<string, unknown>,
  fallback: F,
): F {
  if (columns.includes('__proto__') || new Set(columns).size !== columns.length) return fallback;
  try {
    const factory = new Function(...Object.keys(scope), source(columns.map((c) => JSON.stringify(c))));
    return factory(...Object.values(scope)) as F;
  } catch {
    return fallback;
  }
}

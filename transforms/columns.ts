/**
 * Maps configured column names to the keys of source rows: exact key first, then case-insensitive
 * (Snowflake unloads upper-case names). Resolution runs when a row's keys do not fit the cached
 * resolution, i.e. once per distinct key set in practice; the per-row cost is one keyed load per cell.
 */
import { ConfigError } from '../core/errors.js';

export interface ColumnSpec {
  /** Config key path of the mapping, for errors, e.g. `fields.email`. */
  keyPath: string;
  /** Column name as configured. */
  column: string;
}

export type MissingColumnPolicy = 'error' | 'empty';

/** Resolved row key per spec (same order); undefined = column absent from this row (value empty). */
export type ResolvedColumns = readonly (string | undefined)[];

const hasOwn = Object.prototype.hasOwnProperty;
const MAX_LISTED = 50;

export interface ColumnReader {
  /**
   * The cell of each spec (same order) in `data`; undefined when absent. The array is reused by the
   * next call: read it before reading another row.
   */
  read(data: Record<string, unknown>): readonly unknown[];
  /** The row keys currently resolved for the specs; a new array only when a row's keys did not fit. */
  readonly keys: ResolvedColumns;
}

/**
 * A mapped column absent from the first row it is looked up in is a configuration error under
 * `missing: 'error'` (a typo or a renamed column: stop before sending anything). Later absences are
 * empty values: JSON exports omit NULL keys. Under `missing: 'empty'` every absence is an empty value.
 */
export function createColumnReader(
  specs: readonly ColumnSpec[],
  options: { plugin: string; missing: MissingColumnPolicy },
): ColumnReader {
  const n = specs.length;
  const columns = specs.map((s) => s.column);
  let keys: (string | undefined)[] = new Array(n).fill(undefined);
  // Set once a resolution matched every column exactly: then one keyed load per cell is the whole check.
  let allExact = false;
  let first = true;
  const values: unknown[] = new Array(n).fill(undefined);
  const lowerCache = new Map<string, string>();
  const lower = (k: string): string => {
    let l = lowerCache.get(k);
    if (l === undefined) {
      l = k.toLowerCase();
      if (lowerCache.size < 10_000) lowerCache.set(k, l);
    }
    return l;
  };

  /** Reads the cells with the cached keys; false when the row's keys do not fit them. */
  const readFitting = (data: Record<string, unknown>): boolean => {
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (k === undefined) return false;
      const v = data[k];
      if (v === undefined && !hasOwn.call(data, k)) return false;
      // A case-insensitive match stays valid only while the exact name is still absent.
      if (!allExact && k !== columns[i] && hasOwn.call(data, columns[i]!)) return false;
      values[i] = v;
    }
    return true;
  };

  const resolve = (data: Record<string, unknown>): (string | undefined)[] => {
    const out: (string | undefined)[] = new Array(n).fill(undefined);
    let rowKeys: string[] | undefined;
    for (let i = 0; i < n; i++) {
      const spec = specs[i]!;
      if (hasOwn.call(data, spec.column)) {
        out[i] = spec.column;
        continue;
      }
      rowKeys ??= Object.keys(data);
      const want = lower(spec.column);
      const matches = rowKeys.filter((k) => lower(k) === want);
      if (matches.length > 1) {
        throw new ConfigError(
          `column "${spec.column}" matches several source columns when case is ignored: ${matches.join(', ')}`,
          { keyPath: spec.keyPath, plugin: options.plugin, fix: 'use the exact column name, with its case' },
        );
      }
      if (matches.length === 1) out[i] = matches[0];
      else if (first && options.missing === 'error') throw missingColumn(spec, rowKeys, options.plugin);
    }
    return out;
  };

  return {
    read(data) {
      if (first || !readFitting(data)) {
        keys = resolve(data);
        first = false;
        allExact = keys.every((k, i) => k === columns[i]);
        for (let i = 0; i < n; i++) {
          const k = keys[i];
          values[i] = k === undefined ? undefined : data[k];
        }
      }
      return values;
    },
    get keys() {
      return keys;
    },
  };
}

function missingColumn(spec: ColumnSpec, rowKeys: string[], plugin: string): ConfigError {
  const listed = rowKeys.slice(0, MAX_LISTED).join(', ');
  const more = rowKeys.length > MAX_LISTED ? ` and ${rowKeys.length - MAX_LISTED} more` : '';
  return new ConfigError(
    `column "${spec.column}" is not in the source rows; available columns: ${listed || '(none)'}${more}`,
    {
      keyPath: spec.keyPath,
      plugin,
      fix: `set ${spec.keyPath} to one of the available columns (matched exactly, then ignoring case), or remove it; if the source omits NULL values from its rows (Snowflake OBJECT_CONSTRUCT), export with OBJECT_CONSTRUCT_KEEP_NULL or set missingColumns: 'empty'`,
    },
  );
}

/** A cell as text: strings as they are, finite numbers and bigints printed, anything else absent. */
export function cellText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'bigint') return String(v);
  return undefined;
}

/** True for a value that is present but cannot be read as text (object, array, boolean...). */
export function isNonText(v: unknown): boolean {
  return v !== null && v !== undefined && cellText(v) === undefined;
}

/** The text of the cell at `i` of a reader's values; undefined for -1 (field not mapped). */
export function textAt(values: readonly unknown[], i: number): string | undefined {
  if (i < 0) return undefined;
  const v = values[i];
  return typeof v === 'string' ? v : cellText(v);
}

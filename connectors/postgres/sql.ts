/** The SQL the source runs, built from `table` or `query`, with identifiers quoted. */
import type { PostgresConfig } from './config.js';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `crm.audience` -> "crm"."audience"; a name that is already quoted is kept as written. */
export function quoteTable(table: string): string {
  if (table.includes('"')) return table;
  return table.split('.').map(quoteIdent).join('.');
}

/** The relation to select from, as a FROM item (aliased `t` by the callers). */
export function baseRelation(config: PostgresConfig): string {
  if (config.table) return quoteTable(config.table);
  return `(${(config.query ?? '').trim().replace(/;+\s*$/, '')})`;
}

/** The column name the cursor's text value is read under (dropped from records). */
export const CURSOR_ALIAS = '__dmpsync_cursor';

/**
 * With a cursor column: rows after the saved value, in its order; the value is also read as text,
 * so the state keeps it exactly (timestamps to the microsecond). Without: OFFSET rows already read.
 */
export function readSql(config: PostgresConfig, resume: { cursor?: string; row: number } | undefined) {
  const from = baseRelation(config);
  if (config.cursorColumn) {
    const col = `t.${quoteIdent(config.cursorColumn)}`;
    const where = resume?.cursor !== undefined ? `WHERE ${col} > $1` : '';
    return {
      text: `SELECT t.*, ${col}::text AS ${CURSOR_ALIAS} FROM ${from} AS t ${where} ORDER BY ${col}`,
      values: resume?.cursor !== undefined ? [resume.cursor] : [],
    };
  }
  return {
    text: `SELECT * FROM ${from} AS t${resume?.row ? ` OFFSET ${resume.row}` : ''}`,
    values: [],
  };
}

export function probeSql(config: PostgresConfig): string {
  return `SELECT * FROM ${baseRelation(config)} AS t LIMIT 0`;
}

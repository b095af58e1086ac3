/**
 * Routing: which routing VALUES a row belongs to (the runner maps values to configured segments).
 * A column's value, several values from a separator-joined column, or one fixed value.
 */
import { z } from 'zod';
import { defineTransform, reject } from '../core/plugin.js';
import { cellText, createColumnReader } from './columns.js';

const missingColumns = z
  .enum(['error', 'empty'])
  .default('error')
  .describe(
    "What a routing column absent from the first row means: 'error' stops the run as a configuration error; 'empty' treats it as an empty value (row rejected). Absent in later rows is always an empty value.",
  );

export const RouteConfig = z
  .discriminatedUnion('by', [
    z.strictObject({
      by: z.literal('column').describe('Route each row by the value of one column.'),
      column: z.string().min(1).describe('Source column holding the routing value (trimmed).'),
      missingColumns,
    }),
    z.strictObject({
      by: z.literal('list').describe('Route each row to every value of a separator-joined column.'),
      column: z.string().min(1).describe('Source column holding the routing values, or an array of them.'),
      separator: z
        .string()
        .min(1)
        .default(',')
        .describe("Separator between values in the column (default ',')."),
      missingColumns,
    }),
    z.strictObject({
      by: z.literal('fixed').describe('Send every row of the pipeline to one routing value.'),
      segment: z.string().min(1).describe('The routing value every row gets.'),
    }),
  ])
  .describe('How rows are routed to segments.');

export type RouteConfig = z.output<typeof RouteConfig>;

/** The trimmed value of a cell, or null when empty/missing. */
export function routeByColumn(value: unknown): string[] | null {
  const s = cellText(value)?.trim();
  return s ? [s] : null;
}

/** Every distinct trimmed non-empty value, first occurrence order; arrays are taken element by element. */
export function routeByList(value: unknown, separator: string): string[] | null {
  const parts: unknown[] = Array.isArray(value) ? value : (cellText(value)?.split(separator) ?? []);
  const out: string[] = [];
  for (const p of parts) {
    const s = cellText(p)?.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out.length > 0 ? out : null;
}

const NO_VALUE = 'no routing value';

export const route = defineTransform({
  name: 'route',
  version: '0.1.0',
  description: 'Sets the routing values of each row (row.segments): from a column, a list column, or fixed.',
  config: RouteConfig,
  create(config) {
    if (config.by === 'fixed') {
      const segment = config.segment;
      return (row) => {
        row.segments = [segment];
        return row;
      };
    }
    const reader = createColumnReader([{ keyPath: 'column', column: config.column }], {
      plugin: 'route',
      missing: config.missingColumns,
    });
    const separator = config.by === 'list' ? config.separator : undefined;
    return (row) => {
      const cell = reader.read(row.data)[0];
      const values = separator === undefined ? routeByColumn(cell) : routeByList(cell, separator);
      if (values === null) return reject('segment', NO_VALUE);
      row.segments = values;
      return row;
    };
  },
});

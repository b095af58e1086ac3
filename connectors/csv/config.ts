/** The CSV source's one config schema: types, validation and the SPEC all come from here. */
import { z } from 'zod';

const oneChar = (what: string) =>
  z
    .string()
    .length(1, `${what} must be exactly one character`)
    .refine((c) => c !== '\n' && c !== '\r', `${what} cannot be a line break`);

export const CsvConfig = z
  // Strict: a misspelt key (`delimeter`) is a config error, not a silently ignored setting.
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe(
        'The file to read, or a glob matching several files (read in sorted order), relative to the pipeline file. Files ending in .gz are decompressed.',
      ),
    stream: z.string().min(1).default('audience').describe('Name of the stream the rows are emitted on.'),
    delimiter: oneChar('delimiter').default(',').describe('Field separator, e.g. "," ";" or a tab.'),
    quote: oneChar('quote')
      .default('"')
      .describe('Character that encloses fields containing delimiters, quotes or line breaks.'),
    escape: oneChar('escape')
      .optional()
      .describe(
        'Character that escapes a quote (or itself) inside a quoted field, e.g. a backslash. Default: the quote character, i.e. a doubled quote ("") is a literal quote; a doubled quote is accepted with any escape.',
      ),
    header: z.boolean().default(true).describe('Whether the first row holds the column names.'),
    encoding: z
      .enum(['utf8', 'latin1'])
      .default('utf8')
      .describe('Text encoding of the file; latin1 is read as Windows-1252.'),
    columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Column names for files without a header row (header: false). Default: column_1, column_2, ...',
      ),
    stateEvery: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Rows between two resumable STATE checkpoints.'),
  })
  .superRefine((c, ctx) => {
    if (c.delimiter === c.quote) {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: 'quote must differ from delimiter' });
    }
    if (c.columns && c.header) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'columns is only used with header: false' });
    }
    if (c.columns && new Set(c.columns).size !== c.columns.length) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'columns must not repeat a name' });
    }
  });

export type CsvConfig = z.output<typeof CsvConfig>;

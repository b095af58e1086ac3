/** The PostgreSQL source's config schema: types, validation and the SPEC all come from here. */
import { z } from 'zod';

export const PostgresSsl = z
  .strictObject({
    mode: z
      .enum(['disable', 'require', 'verify-full'])
      .default('require')
      .describe(
        'disable: plain TCP; require: TLS without checking the certificate; verify-full: TLS, certificate and host name checked.',
      ),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM file of the CA that signed the server certificate (verify-full), relative to the pipeline file.',
      ),
  })
  .describe('TLS settings. Default: whatever the url says (sslmode=...), else no TLS.');

export const PostgresConfig = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Connection URL, e.g. postgres://reader@db.internal:5432/crm?sslmode=require. The fields below override its parts. Default: the PG* environment variables.',
      ),
    host: z.string().min(1).optional().describe('Server host name or address.'),
    port: z.number().int().min(1).max(65535).optional().describe('Server port (default 5432).'),
    database: z.string().min(1).optional().describe('Database name.'),
    user: z.string().min(1).optional().describe('User name.'),
    password: z
      .string()
      .optional()
      .describe('Password. Prefer passwordEnv, passwordFile or environment interpolation over a literal.'),
    passwordEnv: z
      .string()
      .min(1)
      .optional()
      .describe('Name of an environment variable holding the password.'),
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the password (trailing newline ignored), relative to the pipeline file.'),
    ssl: PostgresSsl.optional(),
    table: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Table (or view) to read, optionally schema-qualified: audience or crm.audience. Exactly one of table and query.',
      ),
    query: z
      .string()
      .min(1)
      .optional()
      .describe(
        'SELECT to read instead of a table. Without cursorColumn, give it an ORDER BY so a resume is exact.',
      ),
    cursorColumn: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Column that orders the rows and resumes a read (incremental reads, events mode): an id or updated_at. Rows are read in its order; the state keeps its last value.',
      ),
    stream: z.string().min(1).default('audience').describe('Name of the stream the rows are emitted on.'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe(
        'Rows fetched per round trip from the server-side cursor (1000: larger batches can trip a V8 heuristic that halves throughput, docs/connectors/postgres.md).',
      ),
    stateEvery: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Rows between two resumable STATE checkpoints.'),
    statementTimeoutMs: z
      .number()
      .int()
      .min(0)
      .default(300_000)
      .describe(
        'Server statement_timeout, and the longest wait for one batch before the connection counts as lost (0: none).',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('How long to wait for the connection to open.'),
  })
  .superRefine((c, ctx) => {
    if ((c.table === undefined) === (c.query === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['table'], message: 'set exactly one of table and query' });
    }
    const passwords = [c.password, c.passwordEnv, c.passwordFile].filter((p) => p !== undefined);
    if (passwords.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'set at most one of password, passwordEnv and passwordFile',
      });
    }
  });

export type PostgresConfig = z.output<typeof PostgresConfig>;
export const PLUGIN = 'postgres';

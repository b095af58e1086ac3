/** The pipeline file's own schema. Plugin `config` blocks are validated by each plugin's schema. */
import { z } from 'zod';

export const PluginRef = z.object({
  type: z.string().min(1).describe('Name of the plugin (e.g. `csv`, `linkedin-user`, `linkedin-dmp`).'),
  config: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The plugin's configuration (see its docs page)."),
});

const journalRetentionDays = z
  .number()
  .min(0)
  .default(7)
  .describe(
    'Finished journal entries (acknowledged, rejected, dropped) older than this are deleted at the end of a run; pending ones are always kept.',
  );

export const StateConfig = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('sqlite'),
      path: z
        .string()
        .default('.dmpsync/state.db')
        .describe('SQLite file holding checkpoints and the journal, relative to the pipeline file.'),
      stagingWorker: z
        .boolean()
        .default(true)
        .describe(
          'Stage and diff on a worker thread, overlapping with reading the source (false: on the main thread).',
        ),
      rowCache: z
        .boolean()
        .default(true)
        .describe(
          'Mirror mode: remember what each source row became, so an unchanged row skips the transforms next run (a file next to the database; docs/checkpoint.md).',
        ),
      prewarm: z
        .boolean()
        .default(true)
        .describe(
          'Read the database file into the OS page cache while the source is read, so the plan and acknowledgements do not wait on cold disk reads (at most half the memory available; docs/checkpoint.md).',
        ),
      journalRetentionDays,
    }),
    z.object({
      type: z.literal('postgres'),
      url: z
        .string()
        .min(1)
        .optional()
        .describe(
          'PostgreSQL connection URL shared by every worker. Default: DATABASE_URL, else the PG* environment variables.',
        ),
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
        .default('dmpsync')
        .describe('Schema holding the state tables; created or migrated on start.'),
      journalRetentionDays,
    }),
  ])
  .default({
    type: 'sqlite',
    path: '.dmpsync/state.db',
    stagingWorker: true,
    rowCache: true,
    prewarm: true,
    journalRetentionDays: 7,
  })
  .describe('Where the per-segment checkpoint, journal and locks are kept.');

export const Guardrails = z
  .object({
    maxRemoveShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Refuse a plan that removes more than this share of a segment (0.2 = 20%).'),
    minSegmentSize: z
      .number()
      .int()
      .min(0)
      .default(300)
      .describe(
        'Refuse a plan whose removals leave a segment under this many members (LinkedIn serves from 300).',
      ),
    allowMassRemoval: z.boolean().default(false).describe('Accept plans the two rules above would refuse.'),
  })
  .default({ maxRemoveShare: 0.2, minSegmentSize: 300, allowMassRemoval: false })
  .describe('Safety limits on removals (also `--allow-mass-removal`).');

export const RejectsConfig = z
  .object({
    path: z.string().optional().describe('NDJSON file of rejected rows (row number, field, reason).'),
    includeValues: z
      .boolean()
      .default(false)
      .describe('Also write the raw row to the rejects file (may contain PII: opt in knowingly).'),
  })
  .default({ includeValues: false })
  .describe('Rejected-row report.');

export const EventsConfig = z
  .object({
    actionColumn: z
      .string()
      .min(1)
      .default('action')
      .describe("Column carrying each row's action (values in addValues / removeValues, any case)."),
    addValues: z
      .array(z.string().min(1))
      .default(['ADD', 'INSERT', 'UPSERT', 'UPDATE'])
      .describe('Action values meaning ADD (compared case-insensitively).'),
    removeValues: z
      .array(z.string().min(1))
      .default(['REMOVE', 'DELETE', 'DELETED'])
      .describe('Action values meaning REMOVE (compared case-insensitively).'),
    deletedColumn: z
      .string()
      .min(1)
      .default('_ab_cdc_deleted_at')
      .describe('A deletion marker: a row with a non-empty value here is a REMOVE (Airbyte CDC).'),
    missingAction: z
      .enum(['ADD', 'reject'])
      .default('ADD')
      .describe('What a row with neither an action nor a deletion marker is: an ADD, or rejected.'),
  })
  .default({
    actionColumn: 'action',
    addValues: ['ADD', 'INSERT', 'UPSERT', 'UPDATE'],
    removeValues: ['REMOVE', 'DELETE', 'DELETED'],
    deletedColumn: '_ab_cdc_deleted_at',
    missingAction: 'ADD',
  })
  .describe('Events mode: how a row says ADD or REMOVE (used when mode is events).');

export const PipelineConfig = z
  .object({
    version: z.literal(1).default(1).describe('Pipeline file format version.'),
    name: z.string().optional().describe('A name for logs and reports.'),
    mode: z
      .enum(['mirror', 'events'])
      .default('mirror')
      .describe(
        'mirror: the source is the whole audience (members it lacks are removed); events: rows carry ADD/REMOVE actions and members without an event stay.',
      ),
    events: EventsConfig,
    plugins: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Your own plugin modules: paths relative to this file or installed package names (docs/plugins.md).',
      ),
    source: PluginRef.describe('Where rows come from.'),
    transforms: z.array(PluginRef).default([]).describe('Applied in order to every row.'),
    destination: PluginRef.describe('Where members go.'),
    state: StateConfig,
    guardrails: Guardrails,
    rejects: RejectsConfig,
    lockTimeoutMs: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('How long to wait for a segment locked by another run before giving up (0 = fail at once).'),
  })
  .strict();

export type PipelineConfig = z.output<typeof PipelineConfig>;
export type PluginRef = z.output<typeof PluginRef>;

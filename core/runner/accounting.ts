/**
 * Row accounting: every row read ends emitted, rejected or duplicate, and the three always add up.
 * Rejection samples keep the row number, field and reason, never the raw value.
 */
import { scrub } from '../log.js';

export interface RejectedRow {
  row: number;
  file?: string;
  line?: number;
  field: string;
  reason: string;
  /** Only when the user opted in (`rejects.includeValues`). */
  data?: Record<string, unknown>;
}

export interface RowCounts {
  read: number;
  emitted: number;
  rejected: number;
  duplicate: number;
  rejectedByReason: Record<string, number>;
  notes: Record<string, number>;
}

export class Accounting {
  readonly counts: RowCounts = {
    read: 0,
    emitted: 0,
    rejected: 0,
    duplicate: 0,
    rejectedByReason: {},
    notes: {},
  };
  readonly samples: RejectedRow[] = [];

  constructor(
    private readonly sink?: (r: RejectedRow) => void,
    private readonly maxSamples = 100,
  ) {}

  read(): void {
    this.counts.read++;
  }

  emitted(notes?: string[]): void {
    this.counts.emitted++;
    this.note(notes);
  }

  duplicate(notes?: string[]): void {
    this.counts.duplicate++;
    this.note(notes);
  }

  rejected(r: RejectedRow): void {
    const clean = { ...r, reason: scrub(r.reason) };
    this.counts.rejected++;
    const key = `${clean.field}: ${clean.reason}`;
    this.counts.rejectedByReason[key] = (this.counts.rejectedByReason[key] ?? 0) + 1;
    if (this.samples.length < this.maxSamples) this.samples.push({ ...clean, data: undefined });
    this.sink?.(clean);
  }

  private note(notes?: string[]): void {
    if (!notes) return;
    for (const n of notes) this.counts.notes[n] = (this.counts.notes[n] ?? 0) + 1;
  }

  /** The invariant every run must satisfy. */
  balanced(): boolean {
    const c = this.counts;
    return c.read === c.emitted + c.rejected + c.duplicate;
  }
}

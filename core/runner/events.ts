/** Events mode: reading a row's action from its data (an action column, or a deletion marker). */
import type { PipelineConfig } from '../config/pipeline.js';
import { quotedValue } from '../log.js';
import type { Action, Rejection } from '../plugin.js';

export type EventsConfig = PipelineConfig['events'];

export class ActionReader {
  private readonly add: Set<string>;
  private readonly remove: Set<string>;

  constructor(private readonly c: EventsConfig) {
    this.add = new Set(c.addValues.map((v) => v.toUpperCase()));
    this.remove = new Set(c.removeValues.map((v) => v.toUpperCase()));
  }

  /** The row's action; a deletion marker wins over the action column. */
  read(data: Record<string, unknown>): Action | Rejection {
    if (present(data[this.c.deletedColumn])) return 'REMOVE';
    const raw = data[this.c.actionColumn];
    if (!present(raw)) {
      if (this.c.missingAction === 'ADD') return 'ADD';
      return { rejected: true, field: this.c.actionColumn, reason: 'no action (ADD or REMOVE) on the row' };
    }
    const value = String(raw).trim().toUpperCase();
    if (this.add.has(value)) return 'ADD';
    if (this.remove.has(value)) return 'REMOVE';
    // An action column holds a verb: show it, as any quoted value is shown.
    return {
      rejected: true,
      field: this.c.actionColumn,
      reason: `unknown action "${quotedValue(value, 30)}"`,
    };
  }
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/** In-memory state of the emulator: DMP segments, their destinations, ad segments and uploaded media. */
import type { DestinationStatus, SegmentType } from './types.js';

/** What applying one validated element did to a membership. */
export type Outcome = 'changed' | 'noop' | 'mismatch';

export interface Membership {
  readonly size: number;
  apply(el: Record<string, unknown>): Outcome;
  /** Current members without `action`, sorted deterministically. */
  list(): Record<string, unknown>[];
  clear(): void;
}

export interface DestinationRecord {
  destination: 'LINKEDIN';
  adSegmentId: number;
  created: number;
  lastModified: number;
  status: DestinationStatus;
  /** When the current status began; BUILDING and UPDATING turn READY a fixed time after it. */
  statusSince: number;
}

export interface ListUpload {
  inputFile: string;
  rows: Record<string, string>[];
}

export interface SegmentRecord {
  id: number;
  name: string;
  account: string;
  type: SegmentType;
  sourcePlatform: string;
  sourceSegmentId?: string;
  description?: string;
  accessPolicy?: string;
  created: number;
  lastModified: number;
  destination?: DestinationRecord;
  /** Streamed membership (USER and COMPANY segments). */
  members?: Membership;
  listUpload?: ListUpload;
  /** Set once the segment received any accepted input; `inputCount` is shown from then on. */
  hasInput: boolean;
}

export interface AdSegmentRecord {
  id: number;
  dmpSegmentId: number;
  name: string;
  description?: string;
  account: string;
  type: 'MARKET_AUTOMATION' | 'BULK';
  created: number;
  lastModified: number;
  version: number;
}

export interface MediaAsset {
  urn: string;
  csv: string;
}

export const LIST_UPLOAD_TYPES: readonly SegmentType[] = [
  'LIST_UPLOAD',
  'USER_LIST_UPLOAD',
  'COMPANY_LIST_UPLOAD',
];

export class Store {
  readonly segments = new Map<number, SegmentRecord>();
  readonly adSegments = new Map<number, AdSegmentRecord>();
  readonly media = new Map<string, MediaAsset>();
  private nextSegmentId = 10001;
  private nextAdSegmentId = 848001;
  private nextMediaId = 1;

  newSegmentId(): number {
    return this.nextSegmentId++;
  }
  newAdSegmentId(): number {
    return this.nextAdSegmentId++;
  }
  newMediaUrn(): string {
    return `urn:li:digitalmediaAsset:C5605AQEmu${String(this.nextMediaId++).padStart(8, '0')}`;
  }

  countInAccount(account: string): number {
    let n = 0;
    for (const s of this.segments.values()) if (s.account === account) n++;
    return n;
  }

  /** Deleting a DMP segment cascades to its destination, ad segment and list upload. */
  deleteSegment(id: number): boolean {
    const seg = this.segments.get(id);
    if (!seg) return false;
    if (seg.destination) this.adSegments.delete(seg.destination.adSegmentId);
    this.segments.delete(id);
    return true;
  }

  /** Membership size: streamed members, or data rows of the list upload. */
  memberCount(seg: SegmentRecord): number {
    return seg.members ? seg.members.size : (seg.listUpload?.rows.length ?? 0);
  }
}

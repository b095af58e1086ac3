import { describe, expect, it } from 'vitest';
import {
  elementStatuses,
  parseValidationEntries,
  rejectedByBatchIndex,
} from '../../connectors/linkedin-dmp/batch.js';
import { SystemError } from '../../core/errors.js';

const DOC_400 = {
  serviceErrorCode: 10007,
  message:
    'Validation failed because [{field=userIds, batchIndex=1, type=MISSING_REQUIRED_FIELD, message=ERROR :: /userIds/idType :: "GOOGLE" is not an enum symbol}]',
  status: 400,
};

describe('batch result parsing', () => {
  it("parses LinkedIn's documented all-or-nothing 400", () => {
    const rejected = rejectedByBatchIndex(DOC_400, 3);
    expect([...rejected.keys()]).toEqual([1]);
    expect(rejected.get(1)).toBe(
      'MISSING_REQUIRED_FIELD userIds: /userIds/idType :: "GOOGLE" is not an enum symbol',
    );
  });

  it('parses several entries, merging two for one element', () => {
    const message =
      'Validation failed because [{field=userIds, batchIndex=0, type=INVALID_VALUE, message=ERROR :: /a :: x, y}, ' +
      '{field=firstName, batchIndex=2, type=INVALID_VALUE, message=ERROR :: /firstName :: too long}, ' +
      '{field=lastName, batchIndex=2, type=INVALID_VALUE, message=ERROR :: /lastName :: too long}]';
    expect(parseValidationEntries(message).map((e) => e.batchIndex)).toEqual([0, 2, 2]);
    const rejected = rejectedByBatchIndex({ message }, 3);
    expect(rejected.get(0)).toContain('/a :: x, y');
    expect(rejected.get(2)).toContain('firstName');
    expect(rejected.get(2)).toContain('lastName');
  });

  it('returns nothing for a 400 that names no element, and refuses an impossible index', () => {
    expect(rejectedByBatchIndex({ message: 'Request body is not valid JSON' }, 2).size).toBe(0);
    expect(() => rejectedByBatchIndex(DOC_400, 1)).toThrow(SystemError);
  });

  it('reads per-element statuses of a 200, masking emails in reasons', () => {
    const st = elementStatuses(
      {
        elements: [
          { status: 201 },
          { status: 400, error: { message: 'raw email jane@example.com is not allowed', status: 400 } },
          { status: 503 },
        ],
      },
      3,
    );
    expect(st[0]).toEqual({ kind: 'ok' });
    expect(st[1]?.kind).toBe('rejected');
    expect(JSON.stringify(st[1])).not.toContain('jane@example.com');
    expect(st[2]?.kind).toBe('retry');
    expect(() => elementStatuses({ elements: [{ status: 201 }] }, 2)).toThrow(SystemError);
  });
});

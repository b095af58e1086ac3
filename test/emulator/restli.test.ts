import { describe, expect, it } from 'vitest';
import { getList, getParam, paginate, parseRawQuery } from '../../connectors/linkedin-dmp/emulator/restli.js';

describe('emulator Rest.li query parsing', () => {
  it('decodes List(...) items and tolerates encoded parentheses and repeated params', () => {
    const q = parseRawQuery(
      'accounts=List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)&ids=List%2810%2C11%29&x=1&x=2',
    );
    expect(getList(q, 'accounts')).toEqual(['urn:li:sponsoredAccount:1', 'urn:li:sponsoredAccount:2']);
    expect(getList(q, 'ids')).toEqual(['10', '11']);
    expect(getList(q, 'x')).toEqual(['1', '2']);
    expect(getList(q, 'none')).toBeUndefined();
  });

  it('accepts a URN param encoded or not', () => {
    expect(getParam(parseRawQuery('account=urn:li:sponsoredAccount:5'), 'account')).toBe(
      'urn:li:sponsoredAccount:5',
    );
    expect(getParam(parseRawQuery('account=urn%3Ali%3AsponsoredAccount%3A5'), 'account')).toBe(
      'urn:li:sponsoredAccount:5',
    );
    expect(() => getParam(parseRawQuery('a=%E0%A4%A'), 'a')).toThrow();
  });

  it('pages with start/count, or returns everything when neither is given', () => {
    const all = Array.from({ length: 25 }, (_, i) => i);
    expect(paginate(parseRawQuery(''), all).elements).toHaveLength(25);
    expect(paginate(parseRawQuery('start=20'), all)).toEqual({
      elements: [20, 21, 22, 23, 24],
      paging: { start: 20, count: 10, links: [], total: 25 },
    });
    expect(() => paginate(parseRawQuery('count=-1'), all)).toThrow();
  });
});

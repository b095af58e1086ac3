import { describe, expect, it } from 'vitest';
import {
  encodePathKey,
  encodeQueryValue,
  encodeString,
  queryString,
  restliList,
} from '../../connectors/linkedin-dmp/restli.js';

describe('Rest.li 2.0 encoding', () => {
  it('percent-encodes URN query values', () => {
    expect(encodeQueryValue('urn:li:sponsoredAccount:516848833')).toBe(
      'urn%3Ali%3AsponsoredAccount%3A516848833',
    );
  });

  it('encodes the characters encodeURIComponent leaves alone', () => {
    expect(encodeString("a(b)c,d:e'f!g*h")).toBe('a%28b%29c%2Cd%3Ae%27f%21g%2Ah');
    expect(encodeString('seg 1/ä')).toBe('seg%201%2F%C3%A4');
  });

  it('keeps List( ) and , literal while encoding the items', () => {
    expect(restliList(['10804', '10814'])).toBe('List(10804,10814)');
    expect(encodeQueryValue(['urn:li:sponsoredAccount:1', 'urn:li:sponsoredAccount:2'])).toBe(
      'List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)',
    );
    expect(encodeQueryValue([])).toBe('List()');
  });

  it('encodes objects as (k:v) with sorted keys, nesting lists', () => {
    expect(encodeQueryValue({ b: 'x,y', a: [1, 2] })).toBe('(a:List(1,2),b:x%2Cy)');
    expect(encodeQueryValue({ k: { n: true } })).toBe('(k:(n:true))');
  });

  it('fully encodes path keys, structure included', () => {
    expect(encodePathKey('10804')).toBe('10804');
    expect(encodePathKey('urn:li:adSegment:1')).toBe('urn%3Ali%3AadSegment%3A1');
    expect(encodePathKey({ account: 'urn:li:sponsoredAccount:1', n: 2 })).toBe(
      '%28account%3Aurn%3Ali%3AsponsoredAccount%3A1%2Cn%3A2%29',
    );
    expect(encodePathKey(['a', 'b'])).toBe('List%28a%2Cb%29');
  });

  it('builds a query string, skipping undefined parameters', () => {
    expect(
      queryString({
        q: 'account',
        account: 'urn:li:sponsoredAccount:5',
        sourcePlatform: undefined,
        sourceSegmentId: 'vip list',
        start: 0,
        count: 10,
      }),
    ).toBe('q=account&account=urn%3Ali%3AsponsoredAccount%3A5&sourceSegmentId=vip%20list&start=0&count=10');
    expect(
      queryString({
        q: 'accounts',
        accounts: ['urn:li:sponsoredAccount:5'],
        statuses: ['READY', 'BUILDING'],
      }),
    ).toBe('q=accounts&accounts=List(urn%3Ali%3AsponsoredAccount%3A5)&statuses=List(READY,BUILDING)');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { isRejection, type PipelineRow } from '../../core/plugin.js';
import { RouteConfig, route, routeByColumn, routeByList } from '../../transforms/route.js';
import { row, testContext } from './helpers.js';

function make(config: unknown) {
  return route.create(RouteConfig.parse(config), testContext());
}

describe('route pure functions', () => {
  it('routeByColumn trims and refuses empty values', () => {
    expect(routeByColumn('  gold ')).toEqual(['gold']);
    expect(routeByColumn(7)).toEqual(['7']);
    expect(routeByColumn('   ')).toBeNull();
    expect(routeByColumn(null)).toBeNull();
  });

  it('routeByList splits, trims, deduplicates in first-seen order', () => {
    expect(routeByList('gold, silver,gold,, bronze ', ',')).toEqual(['gold', 'silver', 'bronze']);
    expect(routeByList('a|b', '|')).toEqual(['a', 'b']);
    expect(routeByList(['a', ' b ', 'a', 3], ',')).toEqual(['a', 'b', '3']);
    expect(routeByList(' , ', ',')).toBeNull();
    expect(routeByList(undefined, ',')).toBeNull();
  });
});

describe('route transform', () => {
  it('by column (case-insensitive lookup) sets row.segments', () => {
    const fn = make({ by: 'column', column: 'tier' });
    const out = fn(row({ TIER: ' gold ' })) as PipelineRow;
    expect(out.segments).toEqual(['gold']);
  });

  it('by list gives several routing values, default separator comma', () => {
    const fn = make({ by: 'list', column: 'tiers' });
    expect((fn(row({ tiers: 'a, b, a' })) as PipelineRow).segments).toEqual(['a', 'b']);
  });

  it('fixed sends every row to one value', () => {
    const fn = make({ by: 'fixed', segment: 'all-customers' });
    expect((fn(row({ anything: 1 })) as PipelineRow).segments).toEqual(['all-customers']);
  });

  it('rejects a row with no routing value', () => {
    const fn = make({ by: 'column', column: 'tier' });
    fn(row({ tier: 'gold' }));
    const r = fn(row({ tier: '  ' }));
    expect(isRejection(r) && r).toEqual({ rejected: true, field: 'segment', reason: 'no routing value' });
  });

  it('a routing column absent from the rows is a ConfigError at key path `column`', () => {
    const fn = make({ by: 'column', column: 'tier' });
    expect(() => fn(row({ segment: 'gold' }))).toThrow(ConfigError);
    try {
      fn(row({ segment: 'gold' }));
    } catch (e) {
      expect((e as ConfigError).keyPath).toBe('column');
      expect((e as ConfigError).message).toContain('available columns: segment');
    }
  });

  it('validates its config: discriminated on `by`, unknown keys refused', () => {
    expect(RouteConfig.safeParse({ by: 'column' }).success).toBe(false);
    expect(RouteConfig.safeParse({ by: 'fixed', segment: 'x', column: 'y' }).success).toBe(false);
    expect(RouteConfig.safeParse({ by: 'weird', column: 'y' }).success).toBe(false);
    expect(RouteConfig.parse({ by: 'list', column: 'c' })).toEqual({
      by: 'list',
      column: 'c',
      separator: ',',
      missingColumns: 'error',
    });
  });
});

/** The set of plugins a run can use. Built explicitly by the composition root (connectors/index.ts). */
import type { DestinationDefinition, SourceDefinition, TransformDefinition } from './plugin.js';

export interface Registry {
  sources: SourceDefinition[];
  transforms: TransformDefinition[];
  destinations: DestinationDefinition[];
}

export function mergeRegistries(...regs: Partial<Registry>[]): Registry {
  return {
    sources: regs.flatMap((r) => r.sources ?? []),
    transforms: regs.flatMap((r) => r.transforms ?? []),
    destinations: regs.flatMap((r) => r.destinations ?? []),
  };
}

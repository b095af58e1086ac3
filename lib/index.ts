/**
 * The library entry point (`import { runPipeline } from 'dmpsync'`): the runner, config loading,
 * the plugin helpers and the built-in connectors. Everything here is a stable, documented API
 * (docs/library.md); deeper modules are internal.
 */

/** The zod instance plugin configs should be declared with (same instance as the runner's). */
export { z } from 'zod';
export { builtinRegistry, csvSource, linkedinDmpDestination } from '../connectors/index.js';
export { startEmulator } from '../connectors/linkedin-dmp/emulator/index.js';
export { type LoadedPipeline, loadPipeline, parsePluginConfig } from '../core/config/load.js';
export { loadPluginModule, type PluginModuleRef } from '../core/config/plugins.js';
export {
  ConfigError,
  DmpsyncError,
  ExitCode,
  exitCodeFor,
  RecordError,
  SystemError,
  TransientError,
} from '../core/errors.js';
export { createLogger, silentLogger } from '../core/log.js';
export {
  type Action,
  type DestinationDefinition,
  type DestinationSession,
  defineDestination,
  defineSource,
  defineTransform,
  type ElementResult,
  isRejection,
  type Member,
  type PipelineRow,
  type PluginContext,
  type ReadOptions,
  type Rejection,
  type ResolvedSegment,
  reject,
  type SegmentSpec,
  type SendStats,
  type SourceDefinition,
  type SourceItem,
  type TransformDefinition,
  type TransformFn,
} from '../core/plugin.js';
export { mergeRegistries, type Registry } from '../core/registry.js';
export type { RunReport } from '../core/runner/report.js';
export { type RunOptions, runPipeline } from '../core/runner/sync.js';
export { flattenBatches, sourceBatches } from '../core/source-batches.js';
export { builtinTransforms } from '../transforms/index.js';

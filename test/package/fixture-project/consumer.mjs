// Imports the installed package the way an embedding application would.
import { csvSource, defineSource, runPipeline } from 'dmpsync';

process.stdout.write(
  JSON.stringify({ runPipeline: typeof runPipeline, defineSource: typeof defineSource, csv: csvSource.name }),
);

import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import type { LoadedModel } from '@lablog/flavors';
import type { CliIO, GlobalOptions } from '../program.js';
import type { PayloadFormat } from '../../serving/content-type.js';
import { CliError } from '../errors.js';

// The serving stack (@lablog/flavors, apache-arrow, fastify) is imported inside the actions, so
// `lablog --help` and `lablog server` do not load it.
const servingServer = () => import('../../serving/server.js');
const batchPredictModule = () => import('../../serving/batch-predict.js');

/** Seams for tests: how a model is loaded, and where the progress bar draws. */
export interface ModelsCommandDeps {
  /** Default: `loadModel` of @lablog/flavors. */
  load?: (uri: string) => Promise<LoadedModel>;
  /** Default: process.stderr. */
  stderr?: { isTTY?: boolean; write(s: string): unknown };
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a non-negative integer, got '${v}'`, 'INVALID_PARAMETER_VALUE');
    return n;
  };
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, PayloadFormat>> = {
  '.json': 'json',
  '.csv': 'csv',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
};

/** A one-line textual progress bar: `[#######.............]  35%  3500/10000 rows`. */
export function progressLine(done: number, total: number, width = 30): string {
  const f = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${done}/${total} rows`;
}

/**
 * `lablog models serve|predict` (MLflow's `mlflow models serve|predict`, flags as there where
 * they exist: `-m`, `-p`, `-w`/`--workers`, `-i`, `-o`, `-t`/`--content-type`).
 */
export function addModelsCommand(program: Command, io: CliIO, deps: ModelsCommandDeps = {}): void {
  const models = program.command('models').description('Serve a model over HTTP, or score a file with it.');
  const trackingUri = () => program.opts<GlobalOptions>().trackingUri;
  const load = deps.load ?? (async (uri: string) => (await servingServer()).loadScoringModel(uri, trackingUri()));

  models
    .command('serve')
    .description("Serve a model with MLflow's scoring protocol: /invocations, /ping, /health, /version.")
    .requiredOption('-m, --model-uri <uri>', 'model to serve: a path, runs:/<id>/<path>, models:/<name>/<version|stage>, models:/<name>@<alias>')
    .option('-p, --port <port>', 'port to listen on', positiveInt('--port'), 5001)
    .option('--host <host>', 'interface to bind (0.0.0.0 for all)', '127.0.0.1')
    .option('-w, --workers <n>', 'processes sharing the port (node:cluster), each with its own copy of the model', positiveInt('--workers'), 1)
    .option('--max-batch-size <n>', 'most rows in one micro-batch (1 disables batching)', positiveInt('--max-batch-size'), 64)
    .option('--max-batch-wait-ms <ms>', 'longest a request waits for a busy model to take its batch (0 disables batching)', positiveInt('--max-batch-wait-ms'), 2)
    .addOption(
      new Option('-t, --timeout <seconds>', 'request timeout (504 after it)').env('MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT').argParser(positiveInt('--timeout')),
    )
    .action(async (opts: { modelUri: string; port: number; host: string; workers: number; maxBatchSize: number; maxBatchWaitMs: number; timeout?: number }) => {
      const { startScoringServer } = await servingServer();
      const server = await startScoringServer({
        modelUri: opts.modelUri,
        ...(trackingUri() !== undefined ? { trackingUri: trackingUri()! } : {}),
        host: opts.host,
        port: opts.port,
        workers: Math.max(1, opts.workers),
        maxBatchSize: opts.maxBatchSize,
        maxBatchWaitMs: opts.maxBatchWaitMs,
        ...(opts.timeout ? { requestTimeoutMs: opts.timeout * 1000 } : {}),
        handleSignals: true,
        ...(deps.load && opts.workers <= 1 ? { load: deps.load } : {}),
      });
      io.err(`Serving ${opts.modelUri} at ${server.url}${server.workers > 0 ? ` with ${server.workers} workers` : ''} (Ctrl-C to stop)`);
    });

  models
    .command('predict')
    .description('Score a file (JSON scoring payload, CSV with a header row, or Arrow IPC) and write {"predictions": …}.')
    .requiredOption('-m, --model-uri <uri>', 'model to use')
    .requiredOption('-i, --input-path <file>', 'input file: .json ({"inputs": …} etc.), .csv, .arrow')
    .option('-o, --output-path <file>', 'where to write the predictions (default: stdout)')
    .addOption(new Option('-t, --content-type <type>', 'input format (default: from the file extension, else json)').choices(['json', 'csv', 'arrow']))
    .option('--chunk-rows <n>', 'rows per predict call for large inputs', positiveInt('--chunk-rows'), 10_000)
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .action(async (opts: { modelUri: string; inputPath: string; outputPath?: string; contentType?: PayloadFormat; chunkRows: number; progress?: boolean }) => {
      const { batchPredict, parseBody } = await batchPredictModule();
      const format = opts.contentType ?? FORMAT_BY_EXTENSION[extname(opts.inputPath).toLowerCase()] ?? 'json';
      const body = await readFile(opts.inputPath).catch((e: NodeJS.ErrnoException) => {
        throw new CliError(`Cannot read input file '${opts.inputPath}': ${e.code ?? e.message}`, 'INVALID_PARAMETER_VALUE');
      });
      const parsed = await parseBody(body, format);
      const model = await load(opts.modelUri);
      const stderr = deps.stderr ?? process.stderr;
      const draw = opts.progress === true || stderr.isTTY === true;
      let drawn = false;
      try {
        const text = await batchPredict(model, parsed, {
          chunkRows: Math.max(1, opts.chunkRows),
          onProgress: (done, total) => {
            // Only worth a bar when the input took more than one chunk.
            if (!draw || (total <= opts.chunkRows && !drawn)) return;
            drawn = true;
            stderr.write(`\r${progressLine(done, total)}`);
          },
        });
        if (drawn) stderr.write('\n');
        if (opts.outputPath !== undefined) await writeFile(opts.outputPath, text);
        else io.out(text);
      } finally {
        await model.dispose().catch(() => undefined);
      }
    });
}

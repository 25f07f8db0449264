import type { Command } from 'commander';
import type { Run, ViewType } from '@lablog/tracking';
import { CliError } from '../errors.js';
import type { CliIO, GlobalOptions } from '../program.js';
import { viewOption } from '../options.js';
import { formatDuration, formatTable, formatTime } from '../table.js';


function latest(run: Run, key: string): string {
  const m = run.data.metrics.find((x) => x.key === key);
  return m === undefined ? '' : formatNumber(m.value);
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

/** `lablog runs list|describe|delete|restore` (MLflow's `mlflow runs` flags). */
export function addRunsCommand(program: Command, io: CliIO): void {
  const runs = program.command('runs').description('List and inspect runs.');
  // @lablog/tracking is loaded when a command runs, not at CLI start-up.
  const client = async () => new (await import('@lablog/tracking')).TrackingClient(program.opts<GlobalOptions>().trackingUri);
  const runToJSON = async () => (await import('@lablog/tracking')).runToJSON;

  runs
    .command('list')
    .description('List the runs of an experiment as a table (newest first).')
    .option('--experiment-id <id>', 'experiment id (default: the Default experiment, 0)')
    .option('--experiment-name <name>', 'experiment name, instead of an id')
    .option('--filter <filter>', "search filter, e.g. \"metrics.loss < 0.1 and params.lr = '0.01'\"")
    .option('--order-by <clause...>', "order, e.g. 'metrics.loss ASC'")
    .option('--max-results <n>', 'at most this many runs', (v) => Number.parseInt(v, 10), 100)
    .option('--metrics <keys>', 'comma-separated metric columns (default: up to 3 found)')
    .addOption(viewOption())
    .option('--json', 'print MLflow-style JSON instead of a table')
    .action(
      async (opts: {
        experimentId?: string;
        experimentName?: string;
        filter?: string;
        orderBy?: string[];
        maxResults: number;
        metrics?: string;
        view: ViewType;
        json?: boolean;
      }) => {
        const c = await client();
        let experimentId = opts.experimentId ?? '0';
        if (opts.experimentName !== undefined) {
          const exp = await c.getExperimentByName(opts.experimentName);
          if (!exp) throw new CliError(`Could not find experiment with name '${opts.experimentName}'`, 'RESOURCE_DOES_NOT_EXIST');
          experimentId = exp.experimentId;
        }
        if (!Number.isInteger(opts.maxResults) || opts.maxResults < 1) {
          throw new CliError(`--max-results must be a positive integer`, 'INVALID_PARAMETER_VALUE');
        }
        const found = await c.searchRuns([experimentId], {
          filter: opts.filter,
          orderBy: opts.orderBy,
          maxResults: opts.maxResults,
          runViewType: opts.view,
        });
        if (opts.json) {
          io.out(JSON.stringify({ runs: found.map(await runToJSON()) }, null, 2));
          return;
        }
        if (found.length === 0) {
          io.out('No runs.');
          return;
        }
        const metricKeys =
          opts.metrics !== undefined
            ? opts.metrics.split(',').map((s) => s.trim()).filter(Boolean)
            : [...new Set(found.flatMap((r) => r.data.metrics.map((m) => m.key)))].filter((k) => !k.startsWith('system/')).sort().slice(0, 3);
        io.out(
          formatTable(
            ['Run Id', 'Name', 'Status', 'Started', 'Duration', ...metricKeys],
            found.map((r) => [
              r.info.runId,
              r.info.runName,
              r.info.status,
              formatTime(r.info.startTime),
              formatDuration(r.info.startTime, r.info.endTime),
              ...metricKeys.map((k) => latest(r, k)),
            ]),
          ),
        );
      },
    );

  runs
    .command('describe')
    .description("Print a run's info, params, latest metrics, tags and inputs as MLflow JSON.")
    .requiredOption('--run-id <id>', 'id of the run')
    .action(async (opts: { runId: string }) => {
      const run = await (await client()).getRun(opts.runId);
      io.out(JSON.stringify((await runToJSON())(run), null, 2));
    });

  runs
    .command('delete')
    .description('Delete a run (soft delete: `restore` brings it back).')
    .requiredOption('--run-id <id>', 'id of the run')
    .action(async (opts: { runId: string }) => {
      await (await client()).deleteRun(opts.runId);
      io.out(`Run with id ${opts.runId} has been deleted.`);
    });

  runs
    .command('restore')
    .description('Restore a deleted run.')
    .requiredOption('--run-id <id>', 'id of the run')
    .action(async (opts: { runId: string }) => {
      await (await client()).restoreRun(opts.runId);
      io.out(`Run with id ${opts.runId} has been restored.`);
    });
}

import type { Command } from 'commander';
import type { ViewType } from '@lablog/tracking';
import type { CliIO, GlobalOptions } from '../program.js';
import { viewOption } from '../options.js';
import { formatTable, formatTime } from '../table.js';


/** `lablog experiments list|create|delete|restore|rename` (MLflow's `mlflow experiments` flags). */
export function addExperimentsCommand(program: Command, io: CliIO): void {
  const experiments = program.command('experiments').description('Create, list and delete experiments.');
  // @lablog/tracking is loaded when a command runs, not at CLI start-up.
  const client = async () => new (await import('@lablog/tracking')).TrackingClient(program.opts<GlobalOptions>().trackingUri);

  experiments
    .command('list')
    .alias('search')
    .description('List experiments as a table.')
    .addOption(viewOption())
    .option('--filter <filter>', "search filter, e.g. \"name LIKE 'exp%'\"")
    .option('--json', 'print MLflow-style JSON instead of a table')
    .action(async (opts: { view: ViewType; filter?: string; json?: boolean }) => {
      const exps = await (await client()).searchExperiments({ viewType: opts.view, filter: opts.filter });
      if (opts.json) {
        io.out(JSON.stringify(exps, null, 2));
        return;
      }
      if (exps.length === 0) {
        io.out('No experiments.');
        return;
      }
      io.out(
        formatTable(
          ['Experiment Id', 'Name', 'Lifecycle', 'Created', 'Artifact Location'],
          exps.map((e) => [e.experimentId, e.name, e.lifecycleStage, formatTime(e.creationTime), e.artifactLocation]),
          { maxCellWidth: 80 },
        ),
      );
    });

  experiments
    .command('create')
    .description('Create an experiment.')
    .requiredOption('-n, --experiment-name <name>', 'name of the new experiment')
    .option('-l, --artifact-location <uri>', 'where its runs keep artifacts (default: under the store)')
    .action(async (opts: { experimentName: string; artifactLocation?: string }) => {
      const id = await (await client()).createExperiment(opts.experimentName, { artifactLocation: opts.artifactLocation });
      io.out(`Created experiment '${opts.experimentName}' with id ${id}`);
    });

  experiments
    .command('delete')
    .description('Delete an experiment (soft delete: `restore` brings it back).')
    .requiredOption('-x, --experiment-id <id>', 'id of the experiment')
    .action(async (opts: { experimentId: string }) => {
      await (await client()).deleteExperiment(opts.experimentId);
      io.out(`Experiment with id ${opts.experimentId} has been deleted.`);
    });

  experiments
    .command('restore')
    .description('Restore a deleted experiment and its runs.')
    .requiredOption('-x, --experiment-id <id>', 'id of the experiment')
    .action(async (opts: { experimentId: string }) => {
      await (await client()).restoreExperiment(opts.experimentId);
      io.out(`Experiment with id ${opts.experimentId} has been restored.`);
    });

  experiments
    .command('rename')
    .description('Rename an experiment.')
    .requiredOption('-x, --experiment-id <id>', 'id of the experiment')
    .requiredOption('--new-name <name>', 'its new name')
    .action(async (opts: { experimentId: string; newName: string }) => {
      await (await client()).renameExperiment(opts.experimentId, opts.newName);
      io.out(`Experiment with id ${opts.experimentId} has been renamed to '${opts.newName}'.`);
    });
}

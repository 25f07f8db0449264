import type { Experiment } from '../entities/experiment.js';
import type { ViewType } from '../entities/enums.js';
import type { PagedList } from '../entities/paged-list.js';
import { SEARCH_MAX_RESULTS_DEFAULT } from '../validation.js';
import { ClientBase, tagList, type TagsInput } from './client-base.js';

/** Options of {@link ExperimentsClient.searchExperiments}. */
export interface SearchExperimentsOptions {
  /** ACTIVE_ONLY (default), DELETED_ONLY or ALL. */
  viewType?: ViewType;
  /** MLflow filter over `name`, `tags.*`, `creation_time`, `last_update_time`. */
  filter?: string;
  orderBy?: readonly string[];
  /** Most experiments returned; default: all of them (paged internally). */
  maxResults?: number;
  /** Start from this page (as returned by {@link ExperimentsClient.searchExperimentsPage}). */
  pageToken?: string;
}

/** Experiment calls of {@link TrackingClient}. */
export class ExperimentsClient extends ClientBase {
  /** Creates an experiment and returns its id; RESOURCE_ALREADY_EXISTS when the name is taken. */
  createExperiment(name: string, options: { artifactLocation?: string; tags?: TagsInput } = {}): Promise<string> {
    return this.store.createExperiment(name, options.artifactLocation, tagList(options.tags));
  }

  /** The experiment (deleted ones too); RESOURCE_DOES_NOT_EXIST when absent. */
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.store.getExperiment(experimentId);
  }

  /** The experiment with this name, or null. */
  getExperimentByName(name: string): Promise<Experiment | null> {
    return this.store.getExperimentByName(name);
  }

  /** Every matching experiment, following pages up to `maxResults`. */
  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Experiment[]> {
    const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
    const out: Experiment[] = [];
    let pageToken = options.pageToken;
    while (out.length < limit) {
      const page = await this.searchExperimentsPage({ ...options, pageToken, maxResults: Math.min(SEARCH_MAX_RESULTS_DEFAULT, limit - out.length) });
      for (const e of page.items) out.push(e);
      if (!page.nextPageToken || page.items.length === 0) break;
      pageToken = page.nextPageToken;
    }
    return out;
  }

  /** One page of an experiment search (default 1000 per page). */
  searchExperimentsPage(options: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
    return this.store.searchExperiments({
      viewType: options.viewType,
      filter: options.filter,
      orderBy: options.orderBy,
      maxResults: options.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
      pageToken: options.pageToken,
    });
  }

  /** Soft-deletes the experiment and its runs. */
  deleteExperiment(experimentId: string): Promise<void> {
    return this.store.deleteExperiment(experimentId);
  }

  /** Restores a deleted experiment and its runs. */
  restoreExperiment(experimentId: string): Promise<void> {
    return this.store.restoreExperiment(experimentId);
  }

  /** Renames an experiment. */
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.store.renameExperiment(experimentId, newName);
  }

  /** Sets (overwrites) one experiment tag. */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.store.setExperimentTag(experimentId, { key, value });
  }

  /** Deletes one experiment tag. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.store.deleteExperimentTag(experimentId, key);
  }
}

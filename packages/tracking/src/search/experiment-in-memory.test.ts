import { describe, expect, it } from 'vitest';
import type { Experiment } from '../entities/experiment.js';
import { filterExperiments, sortExperiments } from './experiment-in-memory.js';
import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-search.js';
import { makeExperiment } from './__tests__/fixtures.js';

const ids = (es: Experiment[]) => es.map((e) => e.experimentId);
const search = (es: Experiment[], filter: string) => ids(filterExperiments(es, parseExperimentFilter(filter)));
const order = (es: Experiment[], ...orderBy: string[]) => ids(sortExperiments(es, parseExperimentOrderBy(orderBy)));

const experiments = [
  makeExperiment('0', 'Default', 100),
  makeExperiment('9', 'exp-a', 300, { team: 'vision' }, 900),
  makeExperiment('10', 'exp-b', 300, { team: 'nlp' }, 400),
  makeExperiment('742679845729036480', 'Exp.C', 200),
];

describe('filterExperiments', () => {
  it('filters on name, times and tags', () => {
    expect(search(experiments, "name LIKE 'exp%'")).toEqual(['9', '10']);
    expect(search(experiments, "name ILIKE 'exp%'")).toEqual(['9', '10', '742679845729036480']);
    expect(search(experiments, "name LIKE 'Exp.%'")).toEqual(['742679845729036480']);
    expect(search(experiments, 'creation_time >= 300')).toEqual(['9', '10']);
    expect(search(experiments, 'last_update_time > 500')).toEqual(['9']);
    expect(search(experiments, "tags.team = 'nlp'")).toEqual(['10']);
  });

  it('never matches an experiment lacking the tag', () => {
    expect(search(experiments, "tags.team != 'nlp'")).toEqual(['9']);
  });
});

describe('sortExperiments', () => {
  it('defaults to creation_time DESC, experiment_id ASC, ids compared as integers', () => {
    expect(order(experiments)).toEqual(['9', '10', '742679845729036480', '0']);
  });

  it('appends experiment_id DESC as a tie-breaker', () => {
    expect(order(experiments, 'creation_time DESC')).toEqual(['10', '9', '742679845729036480', '0']);
    expect(order(experiments, 'name')).toEqual(['0', '742679845729036480', '9', '10']);
    expect(order(experiments, 'experiment_id')).toEqual(['0', '9', '10', '742679845729036480']);
  });

  it('compares long numeric ids without losing precision', () => {
    const close = [makeExperiment('742679845729036481', 'a', 1), makeExperiment('742679845729036480', 'b', 1)];
    expect(order(close, 'experiment_id')).toEqual(['742679845729036480', '742679845729036481']);
  });
});

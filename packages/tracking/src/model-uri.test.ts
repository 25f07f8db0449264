import { describe, expect, it } from 'vitest';
import { isRegistryModelUri, parseModelUri, safeDecode } from './model-uri.js';
import { LablogError } from './errors.js';

function parseError(uri: string): LablogError {
  try {
    parseModelUri(uri);
  } catch (e) {
    expect(LablogError.is(e)).toBe(true);
    return e as LablogError;
  }
  throw new Error(`parseModelUri accepted ${JSON.stringify(uri)}`);
}

describe('parseModelUri', () => {
  it('parses version numbers', () => {
    expect(parseModelUri('models:/m/3')).toEqual({ kind: 'version', uri: 'models:/m/3', name: 'm', version: '3' });
    expect(parseModelUri('models:/my model/12')).toMatchObject({ kind: 'version', name: 'my model', version: '12' });
    expect(parseModelUri('MODELS:/m/1')).toMatchObject({ kind: 'version', name: 'm', version: '1' });
    // A name with `@` before a suffix is a name (two segments are read first, as MLflow).
    expect(parseModelUri('models:/a@b/7')).toMatchObject({ kind: 'version', name: 'a@b', version: '7' });
  });

  it('parses latest in any case', () => {
    for (const s of ['latest', 'LATEST', 'Latest', 'lAtEsT']) {
      expect(parseModelUri(`models:/m/${s}`)).toEqual({ kind: 'latest', uri: `models:/m/${s}`, name: 'm' });
    }
  });

  it('parses stages case-insensitively and canonicalises them', () => {
    const cases: [string, string][] = [
      ['Production', 'Production'],
      ['production', 'Production'],
      ['STAGING', 'Staging'],
      ['archived', 'Archived'],
      ['none', 'None'],
      ['None', 'None'],
    ];
    for (const [input, stage] of cases) {
      expect(parseModelUri(`models:/m/${input}`)).toMatchObject({ kind: 'stage', name: 'm', stage });
    }
  });

  it('parses aliases, splitting at the last @', () => {
    expect(parseModelUri('models:/m@champion')).toEqual({ kind: 'alias', uri: 'models:/m@champion', name: 'm', alias: 'champion' });
    expect(parseModelUri('models:/team@org@prod')).toMatchObject({ kind: 'alias', name: 'team@org', alias: 'prod' });
    expect(parseModelUri('models:/m@latest')).toMatchObject({ kind: 'alias', name: 'm', alias: 'latest' });
  });

  it('parses a single segment as a LoggedModel id', () => {
    expect(parseModelUri('models:/m-0123abcd')).toEqual({ kind: 'logged-model', uri: 'models:/m-0123abcd', modelId: 'm-0123abcd' });
  });

  it('parses runs:/ URIs', () => {
    expect(parseModelUri('runs:/abc123/model')).toEqual({ kind: 'run', uri: 'runs:/abc123/model', runId: 'abc123', artifactPath: 'model' });
    expect(parseModelUri('runs:/abc123/a/b/c')).toMatchObject({ runId: 'abc123', artifactPath: 'a/b/c' });
    expect(parseModelUri('runs:/abc123/model/')).toMatchObject({ runId: 'abc123', artifactPath: 'model' });
    expect(parseModelUri('runs:/abc123')).toMatchObject({ runId: 'abc123', artifactPath: '' });
    expect(parseModelUri('RUNS:/Run_1-x/m')).toMatchObject({ runId: 'Run_1-x', artifactPath: 'm' });
  });

  it('refuses malformed models:/ URIs with INVALID_PARAMETER_VALUE "Not a proper models:/ URI"', () => {
    const bad = [
      '',
      'm',
      'models',
      'models:',
      'models:/',
      'models:m/1',
      'models://m/1',
      'models:///m/1',
      'models:/m/',
      'models:/m/ ',
      'models:/ /1',
      'models:/m/1/2',
      'models:/a/b/c',
      'models:/m//1',
      'models:/m/notastage',
      'models:/m/Deleted_Internal',
      'models:/m/1a',
      'models:/m/-1',
      'models:/m/1.5',
      'models:/m@',
      'models:/@alias',
      'models:/m@ ',
      'models:/m/1?x=y',
      'models:/m\n/1',
      'models:/m/1\0',
      's3://bucket/model',
      'file:///tmp/model',
      '/tmp/model',
      'http://host/models/m/1',
      'model:/m/1',
      'prompts:/p/1',
    ];
    for (const uri of bad) {
      const e = parseError(uri);
      expect(e.errorCode, uri).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message, uri).toContain(`Not a proper models:/ URI: ${uri}`);
    }
  });

  it('refuses malformed runs:/ URIs with INVALID_PARAMETER_VALUE "Not a proper runs:/ URI"', () => {
    const bad = [
      'runs:',
      'runs:/',
      'runs:abc/model',
      'runs://abc/model',
      'runs:/-abc/model',
      'runs:/a b/model',
      'runs:/abc!/model',
      `runs:/${'a'.repeat(257)}/model`,
      'runs:/abc//model',
      'runs:/abc/../other/model',
      'runs:/abc/a/../../x',
      'runs:/abc/%2e%2e/x',
      'runs:/abc/%252e%252e/x',
      'runs:/abc/a%2fb',
      'runs:/abc/./model',
      'runs:/abc/model?x=1',
      'runs:/abc/mo\0del',
    ];
    for (const uri of bad) {
      const e = parseError(uri);
      expect(e.errorCode, uri).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message, uri).toContain(`Not a proper runs:/ URI: ${uri}`);
    }
  });

  it('refuses non-strings', () => {
    expect(parseError(undefined as unknown as string).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(parseError(42 as unknown as string).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('tells registry URIs from the others', () => {
    expect(isRegistryModelUri(parseModelUri('models:/m/1'))).toBe(true);
    expect(isRegistryModelUri(parseModelUri('models:/m@a'))).toBe(true);
    expect(isRegistryModelUri(parseModelUri('models:/m-1'))).toBe(false);
    expect(isRegistryModelUri(parseModelUri('runs:/r/m'))).toBe(false);
  });
});

describe('safeDecode', () => {
  it('decodes repeatedly and leaves malformed escapes alone', () => {
    expect(safeDecode('%252e%252e')).toBe('..');
    expect(safeDecode('a%2Fb')).toBe('a/b');
    expect(safeDecode('100%')).toBe('100%');
  });
});

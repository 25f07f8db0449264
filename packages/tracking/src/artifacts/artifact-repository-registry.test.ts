import * as nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { LablogError } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { getArtifactRepository, registerArtifactRepository } from './artifact-repository-registry.js';
import { fileUriToPath, pathToFileUri, uriScheme } from './file-uri.js';
import { HttpArtifactRepository } from './http-artifact-repository.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

function errorOf(fn: () => unknown): LablogError {
  try {
    fn();
  } catch (e) {
    expect(LablogError.is(e)).toBe(true);
    return e as LablogError;
  }
  throw new Error('expected a LablogError');
}

describe('getArtifactRepository', () => {
  it('maps file: URIs and plain paths to LocalArtifactRepository', () => {
    const abs = nodePath.resolve('some', 'root');
    for (const uri of [pathToFileUri(abs), `FILE://${abs}`, `file://localhost${abs}`, abs, 'some/root']) {
      const repo = getArtifactRepository(uri);
      expect(repo).toBeInstanceOf(LocalArtifactRepository);
      expect((repo as LocalArtifactRepository).rootDir).toBe(abs);
      expect(repo.rootUri).toBe(uri);
    }
  });

  it.each([
    ['mlflow-artifacts:/1/abc/artifacts', { trackingUri: 'http://tracking:5000' }],
    ['http://host/api/2.0/mlflow-artifacts/artifacts/x', {}],
    ['HTTPS://host/api/2.0/mlflow-artifacts/artifacts/x', {}],
  ] as const)('maps %s to the HTTP proxy repository', (uri, context) => {
    expect(getArtifactRepository(uri, context)).toBeInstanceOf(HttpArtifactRepository);
  });

  it('refuses unknown schemes, remote file hosts and empty URIs', () => {
    expect(errorOf(() => getArtifactRepository('ftp://host/x')).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => getArtifactRepository('file://proc/self/root')).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => getArtifactRepository('file:///x?q=1')).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => getArtifactRepository('file:///x#frag')).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => getArtifactRepository('')).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('lets a scheme be registered and unregistered', () => {
    const fake = { rootUri: 'memory:/x' } as ArtifactRepository;
    const restore = registerArtifactRepository('memory:', () => fake);
    try {
      expect(getArtifactRepository('memory:/x')).toBe(fake);
    } finally {
      restore();
    }
    expect(errorOf(() => getArtifactRepository('memory:/x')).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('file URI helpers', () => {
  it('round-trips paths, decoding escapes once', () => {
    const abs = nodePath.resolve('dir with space', 'a%b');
    const uri = pathToFileUri(abs);
    expect(uri.startsWith('file:///')).toBe(true);
    expect(fileUriToPath(uri)).toBe(abs);
    expect(fileUriToPath('file:///tmp/a%20b')).toBe(nodePath.resolve('/tmp/a b'));
  });

  it('refuses an encoded slash in a file URI', () => {
    expect(() => fileUriToPath('file:///tmp/a%2F..%2Fb')).toThrow(LablogError);
  });

  it('tells schemes from drive letters', () => {
    expect(uriScheme('S3://b/k')).toBe('s3');
    expect(uriScheme('mlflow-artifacts:/x')).toBe('mlflow-artifacts');
    expect(uriScheme('C:\\runs')).toBeNull();
    expect(uriScheme('/abs')).toBeNull();
    expect(uriScheme('rel/dir')).toBeNull();
  });
});

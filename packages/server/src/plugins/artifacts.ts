/**
 * The artifact-serving configuration as a typed decorator shared by every route group:
 * the artifacts destination (`--artifacts-destination`), whether the proxy is on
 * (`--serve-artifacts`), the upload size limit, and the experiment `artifact_location` policy.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { openArtifactsDestination, type ArtifactStore } from '../artifacts/artifact-store.js';
import { resolveArtifactRoot, type ResolvedArtifactRoot } from '../artifacts/artifact-root.js';
import { ArtifactLocationPolicy } from '../artifacts/artifact-location-policy.js';

/** Default largest proxied artifact PUT: 5 GiB (MLflow has no cap; S3's single PUT limit). */
export const DEFAULT_MAX_ARTIFACT_UPLOAD_BYTES = 5 * 1024 ** 3;

/** Largest body of the UI's `upload-artifact` (MLflow's 10 MB). */
export const MAX_UI_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Artifact options of the app. */
export interface ArtifactServingOptions {
  /**
   * Where proxied artifacts live: a directory, `file://…` or `s3://bucket/prefix`. Absent: the
   * proxy is off (its routes answer 503) and `mlflow-artifacts:` roots cannot be read.
   */
  destination?: string;
  /** Serve the proxy (default true when a destination is given). */
  serveArtifacts?: boolean;
  /** The default artifact root of new experiments, for the location policy. */
  defaultArtifactRoot?: string;
  /** Largest proxied PUT in bytes; default {@link DEFAULT_MAX_ARTIFACT_UPLOAD_BYTES}. */
  maxUploadBytes?: number;
}

/** What routes see as `app.artifactServing`. */
export interface ArtifactServing {
  /** The destination when the proxy is on; null otherwise. */
  readonly destination: ArtifactStore | null;
  readonly maxUploadBytes: number;
  /** Maps an artifact root URI to a store (see `resolveArtifactRoot`). */
  resolveRoot(uri: string): ResolvedArtifactRoot;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The artifact-serving configuration (see plugins/artifacts.ts). */
    artifactServing: ArtifactServing;
  }
}

async function artifacts(app: FastifyInstance, options: ArtifactServingOptions): Promise<void> {
  const serve = options.serveArtifacts ?? options.destination !== undefined;
  const destination = serve && options.destination !== undefined ? openArtifactsDestination(options.destination) : null;
  const serving: ArtifactServing = {
    destination,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_ARTIFACT_UPLOAD_BYTES,
    resolveRoot: (uri) => resolveArtifactRoot(uri, destination),
  };
  app.decorate('artifactServing', serving);
  app.decorate(
    'artifactLocationPolicy',
    new ArtifactLocationPolicy({
      destination,
      ...(options.defaultArtifactRoot !== undefined ? { defaultArtifactRoot: options.defaultArtifactRoot } : {}),
    }),
  );
}

/** Decorates the app with `artifactServing` and `artifactLocationPolicy`. */
export const artifactsPlugin = fp(artifacts, { name: 'lablog-artifacts', fastify: '5.x' });

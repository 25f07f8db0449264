/**
 * A real S3-compatible server (s3rver) on 127.0.0.1, an ephemeral port and a temp directory,
 * with one bucket created through the AWS SDK. Shared by the tracking and server tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
// @ts-expect-error s3rver ships no type declarations.
import S3rver from 's3rver';
import type { S3ArtifactRepositoryOptions } from '../s3-artifact-repository.js';
import { createS3Client } from '../s3-artifact-repository.js';

/** A running s3rver. */
export interface TestS3 {
  readonly endpointUrl: string;
  readonly bucket: string;
  /** Options for S3ArtifactRepository / createS3Client that reach this server. */
  readonly options: S3ArtifactRepositoryOptions;
  /** The same as MLflow's environment variables. */
  readonly env: Record<string, string>;
  readonly directory: string;
  close(): Promise<void>;
}

/** Starts s3rver and creates `bucket` (default `lablog-test`). */
export async function startS3rver(bucket = 'lablog-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'lablog-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const addr = (await server.run()) as AddressInfo;
  const endpointUrl = `http://127.0.0.1:${addr.port}`;
  const options: S3ArtifactRepositoryOptions = { endpointUrl, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
  const client = await createS3Client(options);
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpointUrl,
    bucket,
    options,
    env: { MLFLOW_S3_ENDPOINT_URL: endpointUrl, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    directory,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

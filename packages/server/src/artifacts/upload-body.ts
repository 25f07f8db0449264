/**
 * Request bodies of artifact uploads as bounded streams: the declared `Content-Length` is
 * checked before a byte is read, and the bytes actually received are counted as they pass, so
 * a chunked or lying client is cut off at the limit too. Nothing is buffered beyond the
 * stream's own chunks.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A request body ready to stream into a store. */
export interface UploadBody {
  stream: Readable;
  /** The declared length, when the client sent `Content-Length`. */
  size?: number;
}

/** Counts bytes and fails with `tooLarge()` once more than `limit` have passed. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(this.tooLarge());
    else done(null, chunk);
  }
}

/**
 * The request's raw body (as the raw-body content parser hands it over) limited to `limit`
 * bytes. @throws `tooLarge()` at once when `Content-Length` already exceeds the limit.
 */
export function uploadBody(request: FastifyRequest, limit: number, tooLarge: () => Error): UploadBody {
  const header = request.headers['content-length'];
  const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
  if (declared !== undefined && declared > limit) throw tooLarge();
  const source = request.body instanceof Readable ? request.body : Readable.from([]);
  const stream = source.pipe(new ByteLimit(limit, tooLarge));
  source.on('error', (e) => stream.destroy(e));
  // A client that disconnects mid-body ends the source without 'end': fail the upload, so the
  // store removes its partial file instead of waiting forever.
  source.on('close', () => {
    if (!source.readableEnded) stream.destroy(new Error('The client closed the connection during the upload'));
  });
  return declared === undefined ? { stream } : { stream, size: declared };
}

/**
 * Content-type parsing for raw-body routes: every content type (and none) is accepted and the
 * payload stream is passed to the handler unread. Register inside an encapsulated plugin.
 */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
}

import { describe, expect, it } from 'vitest';
import { LablogError } from '@lablog/tracking';
import { errorResponse } from './error-handler.js';

describe('errorResponse', () => {
  it('LablogError → status from the table, its code and message', () => {
    expect(errorResponse(new LablogError('nope', 'RESOURCE_DOES_NOT_EXIST'), 'r1')).toEqual({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'nope' },
      serverFault: false,
    });
    expect(errorResponse(new LablogError('dup', 'RESOURCE_ALREADY_EXISTS'), 'r1').status).toBe(400);
    const ni = errorResponse(new LablogError('later', 'NOT_IMPLEMENTED'), 'r1');
    expect(ni).toMatchObject({ status: 501, body: { message: 'later' }, serverFault: true });
  });

  it('INTERNAL_ERROR LablogErrors and unknown errors hide their message', () => {
    for (const e of [new LablogError('db path /srv/x', 'INTERNAL_ERROR'), new Error('boom'), 'a string', null]) {
      const res = errorResponse(e, 'req-9');
      expect(res.status).toBe(500);
      expect(res.body.error_code).toBe('INTERNAL_ERROR');
      expect(res.body.message).toBe('Internal server error (request id req-9); see the server log.');
      expect(res.serverFault).toBe(true);
    }
  });

  it('schema failures → 400 INVALID_PARAMETER_VALUE with the first message', () => {
    const e = Object.assign(new Error('x'), { validation: [{ message: "Missing value for required parameter 'a'." }], statusCode: 400 });
    expect(errorResponse(e, 'r').body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'a'." });
  });

  it('Fastify 4xx errors keep their status as BAD_REQUEST; 415 becomes MLflow’s content-type 400', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(errorResponse(tooLarge, 'r')).toMatchObject({ status: 413, body: { error_code: 'BAD_REQUEST' } });
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(errorResponse(media, 'r')).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

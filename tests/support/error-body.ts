import type { Response } from 'supertest';

/**
 * Asserts the standard error body of 001 "Format d'erreur standardisé", with the request id the
 * response carries in X-Request-ID, and returns its `error` for further checks.
 */
export function expectStandardError(res: Response, status: number, code: string): { code: string; message: string; details: Record<string, unknown>; request_id: string } {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  const error = res.body.error;
  expect(Object.keys(error).sort()).toEqual(['code', 'details', 'message', 'request_id', 'service', 'timestamp']);
  expect(error).toMatchObject({
    message: expect.any(String),
    details: expect.any(Object),
    service: 'visiobook-data-platform',
    request_id: res.headers['x-request-id'],
  });
  expect(error.request_id).toEqual(expect.any(String));
  expect(new Date(error.timestamp).toISOString()).toBe(error.timestamp);
  return error;
}

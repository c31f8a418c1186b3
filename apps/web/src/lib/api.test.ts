import { describe, expect, it } from 'vitest';
import { ApiError, problemFrom } from './api.ts';

describe('problemFrom and ApiError', () => {
  it('keeps the first message of each field path and the problem code', () => {
    const body = JSON.stringify({
      type: 'https://hostplane.io/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'body.name: required',
      errors: [
        { path: 'name', in: 'body', message: 'required' },
        { path: 'name', in: 'body', message: 'second' },
        { path: 'limits.cpu', in: 'body', message: 'must be a Kubernetes quantity' },
      ],
    });
    const error = new ApiError(problemFrom(400, 'Bad Request', body));
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation');
    expect(error.message).toBe('body.name: required');
    expect(error.fieldErrors).toEqual({ name: 'required', 'limits.cpu': 'must be a Kubernetes quantity' });
  });

  it('turns a body that is not problem+json into a generic problem', () => {
    expect(problemFrom(502, 'Bad Gateway', '<html>down</html>')).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: '<html>down</html>',
    });
    expect(problemFrom(500, '', 'null').title).toBe('Request failed');
  });
});

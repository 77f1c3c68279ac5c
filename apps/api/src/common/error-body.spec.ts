import { errorBody } from './error-body.js';

describe('the one error body', () => {
  it('keeps a body already in the shape, extras included', () => {
    const ours = {
      statusCode: 409,
      error: 'Conflict',
      message: 'rule x exists',
      fields: [{ field: 'id', problems: ['rule x exists'] }],
      state: 'open',
    };
    expect(errorBody(409, ours)).toEqual(ours);
  });

  it('adds the status text as `error` to a bare message', () => {
    expect(errorBody(413, 'request entity too large')).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request entity too large',
    });
  });

  it('names `body` for a body that is not JSON and `path` for a path that cannot be decoded', () => {
    const parsed = { statusCode: 400, error: 'Bad Request', message: 'Unexpected end of JSON input' };
    expect(errorBody(400, parsed, new SyntaxError('x')).fields).toEqual([
      { field: 'body', problems: ['Unexpected end of JSON input'] },
    ]);
    expect(errorBody(400, 'Failed to decode param', new URIError('x')).fields).toEqual([
      { field: 'path', problems: ['Failed to decode param'] },
    ]);
    expect(errorBody(400, parsed).fields).toBeUndefined();
  });

  it('joins a list of messages into one', () => {
    expect(errorBody(400, { message: ['a', 'b'] }).message).toBe('a | b');
  });
});

import type { IncomingMessage } from 'node:http';
import { bearerToken } from './request-token.js';

const withAuthorization = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

describe('the bearer token of a request', () => {
  it('reads the scheme in any case, as RFC 9110 makes it case-insensitive', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR'])
      expect(bearerToken(withAuthorization(`${scheme} tok-123`))).toBe('tok-123');
  });

  it('takes the token after one or more spaces', () => {
    expect(bearerToken(withAuthorization('Bearer   tok-123'))).toBe('tok-123');
  });

  it('finds none in a missing, empty, other-scheme or doubled header', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer x Bearer y',
      'Bearertok',
      ' Bearer tok',
      'Token tok',
    ]) {
      expect([header, bearerToken(withAuthorization(header))]).toEqual([header, undefined]);
    }
  });
});

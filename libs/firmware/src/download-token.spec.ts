import { DownloadTokens } from './download-token.js';

describe('DownloadTokens', () => {
  const tokens = new DownloadTokens(Buffer.from('k'.repeat(32)));
  const grant = { imageId: 'img-1', deviceId: 'dev-1', expiresAt: 2_000_000_000 };

  it('verifies its own token until it expires, returning what it grants', () => {
    const token = tokens.issue(grant);
    expect(DownloadTokens.looksLikeOne(token)).toBe(true);
    expect(tokens.verify(token, 1_999_999_999_000)).toEqual(grant);
    expect(tokens.verify(token, 2_000_000_000_000)).toBeUndefined();
  });

  it('refuses a token with changed claims, another key’s token and anything else', () => {
    const token = tokens.issue(grant);
    const [prefix, , signature] = token.split('.');
    const otherClaims = Buffer.from(JSON.stringify({ i: 'img-2', d: 'dev-1', e: 2_000_000_000 })).toString('base64url');
    const forged = `${prefix}.${otherClaims}.${signature}`;
    expect(tokens.verify(forged, 0)).toBeUndefined();
    expect(new DownloadTokens(Buffer.from('x'.repeat(32))).verify(token, 0)).toBeUndefined();
    for (const junk of ['', 'fwt1', 'fwt1..', `${token}.x`, 'cpt_admin-token'])
      expect(tokens.verify(junk, 0)).toBeUndefined();
  });
});

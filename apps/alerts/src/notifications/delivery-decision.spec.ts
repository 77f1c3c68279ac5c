import { decideDelivery } from './delivery-decision.js';
import { signBody } from './sign.js';
import { createHmac } from 'node:crypto';

describe('decideDelivery', () => {
  it('counts any 2xx as delivered', () => {
    expect(decideDelivery({ status: 200 })).toEqual({ action: 'delivered' });
    expect(decideDelivery({ status: 204 })).toEqual({ action: 'delivered' });
  });

  it('retries when the receiver is down, slow, overloaded or failing', () => {
    for (const status of [408, 429, 500, 502, 503]) expect(decideDelivery({ status }).action).toBe('retry');
    expect(decideDelivery({ error: 'ECONNREFUSED' }).action).toBe('retry');
  });

  it('gives up on a request the receiver refuses (4xx): retrying cannot help', () => {
    for (const status of [301, 400, 401, 404, 410]) expect(decideDelivery({ status }).action).toBe('give_up');
  });
});

describe('signBody', () => {
  it('signs timestamp and body together with HMAC-SHA256, so neither can be swapped', () => {
    const expected = createHmac('sha256', 'k').update('1700000000.{"a":1}').digest('hex');
    expect(signBody('k', 1700000000, '{"a":1}')).toBe(`sha256=${expected}`);
    expect(signBody('k', 1700000001, '{"a":1}')).not.toBe(signBody('k', 1700000000, '{"a":1}'));
  });
});

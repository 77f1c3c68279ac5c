import { decodeCommandAck } from './decode-command-ack.js';

const decode = (body: unknown) =>
  decodeCommandAck(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), 4096);

describe('decodeCommandAck', () => {
  it('reads a success with its result and a failure with its error', () => {
    expect(decode({ id: 'c1', status: 'succeeded', result: { uptimeS: 3 } })).toEqual({
      ok: true,
      ack: { id: 'c1', status: 'succeeded', result: { uptimeS: 3 } },
    });
    expect(decode({ id: 'c1', status: 'failed', error: 'busy' })).toEqual({
      ok: true,
      ack: { id: 'c1', status: 'failed', error: 'busy' },
    });
  });

  it.each([
    ['no id', { status: 'succeeded' }, 'id'],
    ['an id that is a number', { id: 7, status: 'succeeded' }, 'id'],
    ['an id far too long to be ours', { id: 'x'.repeat(65), status: 'succeeded' }, 'id'],
    ['a status outside succeeded/failed', { id: 'c1', status: 'done' }, 'status'],
    ['an error that is not text', { id: 'c1', status: 'failed', error: { code: 3 } }, 'error'],
    ['an unexpected key', { id: 'c1', status: 'failed', reason: 'x' }, 'reason'],
  ])('refuses an ack with %s, naming the field', (_label, body, field) => {
    expect(decode(body)).toEqual({
      ok: false,
      rejected: [expect.objectContaining({ reason: 'invalid_shape', field })],
    });
  });

  it('refuses bad JSON as a whole', () => {
    expect(decode('not json')).toEqual({
      ok: false,
      rejected: [expect.objectContaining({ reason: 'malformed_json' })],
    });
  });
});

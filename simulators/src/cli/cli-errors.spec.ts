import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { freePort } from '@citypulse/testing';
import { UsageError } from './args.js';
import { CliError, describeError } from './cli-errors.js';

describe('describeError', () => {
  it('says a missing file in one line naming the path, exit 1', async () => {
    const err = await readFile('no/such/capture.ndjson.gz').catch((e: unknown) => e);
    expect(describeError(err)).toEqual({
      message: 'no/such/capture.ndjson.gz: no such file or directory',
      exitCode: 1,
      unexpected: false,
    });
  });

  it('exits 2 for bad arguments, its own and parseArgs ones', () => {
    expect(describeError(new UsageError('--speed warp: expected a number'))).toMatchObject({
      exitCode: 2,
      unexpected: false,
    });
    expect(
      describeError(
        Object.assign(new TypeError("Unknown option '--bogus'"), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }),
      ),
    ).toMatchObject({ message: "Unknown option '--bogus'", exitCode: 2 });
  });

  it('names the server fetch could not reach', async () => {
    const port = await freePort(); // nothing listens there now
    const err = await fetch(`http://127.0.0.1:${port}/rules`).catch((e: unknown) => e);
    expect(describeError(err)).toEqual({
      message: `cannot reach 127.0.0.1:${port} (ECONNREFUSED)`,
      exitCode: 1,
      unexpected: false,
    });
  });

  it('says a file that is not gzip is not a capture', () => {
    let err: unknown;
    try {
      gunzipSync(Buffer.from('{"not": "gzip"}'));
    } catch (e) {
      err = e;
    }
    expect(describeError(err)).toMatchObject({
      message: expect.stringMatching(/^not a gzip capture/),
      exitCode: 1,
      unexpected: false,
    });
  });

  it('keeps sentences it was given, and marks anything else unexpected', () => {
    expect(describeError(new CliError('nothing was delivered'))).toEqual({
      message: 'nothing was delivered',
      exitCode: 1,
      unexpected: false,
    });
    expect(describeError(new TypeError('x is undefined'))).toEqual({
      message: 'x is undefined',
      exitCode: 1,
      unexpected: true,
    });
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * `npm run ota -- <device id> <version>`: the over-the-air update of README "Firmware updates
 * (OTA)" in one command against a running citypulse (`npm start`): uploads a made-up image for
 * the device's type and city (or reuses the one already uploaded for that version), sends the
 * device a firmware-update command and prints each step until the device acks.
 */
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:13000' },
    size: { type: 'string', default: String(256 * 1024) },
    'timeout-s': { type: 'string', default: '120' },
  },
});
const [deviceId, version] = positionals;
if (!deviceId || !version) {
  console.error('usage: npm run ota -- <device id> <version> [--size bytes] [--api url]');
  process.exit(2);
}
const token = process.env.CP_API_TOKEN ?? readFileSync('.stack/api-token', 'utf8').trim();
const api = args.api;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const isBytes = body instanceof Uint8Array;
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': isBytes ? 'application/octet-stream' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : isBytes ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function must<T>(result: { status: number; body: T }, what: string, ok: number[]): T {
  if (!ok.includes(result.status)) {
    console.error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
    process.exit(1);
  }
  return result.body;
}

const device = must(await call('GET', `/devices/${encodeURIComponent(deviceId)}`), `device ${deviceId}`, [200]) as {
  type: string;
  city: string;
  firmwareVersion?: string;
};
console.log(
  `${deviceId}: ${device.type} in ${device.city}, runs firmware ${device.firmwareVersion ?? '(not reported yet)'}`,
);

const query = new URLSearchParams({ deviceType: device.type, version, city: device.city });
const uploaded = await call('POST', `/firmware?${query}`, randomBytes(Number(args.size)));
let image = uploaded.body as { id: string; size: number; sha256: string };
if (uploaded.status === 409) {
  image = (must(await call('GET', `/firmware?${query}`), 'the existing image', [200]) as { items: Array<typeof image> })
    .items[0];
  console.log(`image ${image.id}: ${version} was uploaded before; using it`);
} else {
  must(uploaded, 'upload', [201]);
  console.log(`image ${image.id}: uploaded ${image.size} bytes, sha256 ${image.sha256}`);
}

const command = must(
  await call('POST', `/devices/${encodeURIComponent(deviceId)}/commands`, {
    name: 'firmware-update',
    params: { imageId: image.id },
  }),
  'firmware-update',
  [201],
) as { id: string };
console.log(`command ${command.id}: firmware-update sent`);

/** The parts of GET /devices/:id/commands/:commandId and GET /devices/:id this demo prints. */
interface CommandView {
  status: string;
  result?: unknown;
  error?: string;
}
interface DeviceView {
  firmwareVersion?: string;
  firmwareUpdate?: { commandId: string; state: string; percent?: number; reason?: string };
}

const deadline = Date.now() + Number(args['timeout-s']) * 1000;
let last = '';
while (Date.now() < deadline) {
  const [commandNow, deviceNow] = await Promise.all([
    call('GET', `/devices/${encodeURIComponent(deviceId)}/commands/${command.id}`),
    call('GET', `/devices/${encodeURIComponent(deviceId)}`),
  ]);
  const state = commandNow.body as CommandView;
  const now = deviceNow.body as DeviceView;
  const step = now.firmwareUpdate?.commandId === command.id ? now.firmwareUpdate : undefined;
  const progress = step
    ? `${step.state}${step.percent !== undefined ? ` ${step.percent}%` : ''}${step.reason ? ` (${step.reason})` : ''}`
    : 'waiting';
  const line = `command ${state.status}; device ${progress}; runs ${now.firmwareVersion}`;
  if (line !== last) console.log(line);
  last = line;
  if (['succeeded', 'failed', 'timed-out'].includes(state.status)) {
    console.log(
      state.status === 'succeeded'
        ? `done: ${JSON.stringify(state.result)}`
        : `not updated: ${state.error ?? state.status}`,
    );
    process.exit(state.status === 'succeeded' ? 0 : 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error('gave up waiting');
process.exit(1);

import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { TestCitypulse } from '../harness.js';

/** An env-sensor device connected over MQTT, publishing QoS 1 readings as firmware would. */
export interface TestDevice {
  id: string;
  secret: string;
  client: MqttClient;
  publish(values: Record<string, number>, ts?: number): Promise<void>;
}

export async function connectedSensor(cp: TestCitypulse, city = 'beijing'): Promise<TestDevice> {
  const id = uniqueName('al-');
  const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-tower-1` });
  const client = await cp.connectDevice(id, secret);
  return {
    id,
    secret,
    client,
    publish: async (values, ts = Date.now()) => {
      await client.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify({ ts, values }), { qos: 1 });
    },
  };
}

/** The CO2 rule most alert tests use: above 1000 ppm raises a warning for one device, below 800 clears it. */
export function co2HighRule(deviceId: string): Record<string, unknown> {
  return {
    id: `co2-${deviceId}`,
    key: 'env-sensor.co2-high',
    deviceType: 'env-sensor',
    scope: { deviceId },
    field: 'co2',
    condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
    severity: 'warning',
  };
}

/** A device-scoped rule through the API (it must be accepted). */
export async function createRule(cp: TestCitypulse, rule: Record<string, unknown>): Promise<void> {
  const { status, body } = await cp.api('POST', '/rules', rule);
  if (status !== 201) throw new Error(`POST /rules: ${status} ${JSON.stringify(body)}`);
}

export async function alertsOf(cp: TestCitypulse, deviceId: string, query = ''): Promise<any[]> {
  const { status, body } = await cp.api('GET', `/alerts?deviceId=${deviceId}${query}`);
  if (status !== 200) throw new Error(`GET /alerts: ${status} ${JSON.stringify(body)}`);
  return body.items;
}

export function waitForAlerts(
  cp: TestCitypulse,
  deviceId: string,
  done: (items: any[]) => boolean,
  what: string,
  query = '',
  timeoutMs = 20_000,
): Promise<any[]> {
  return waitFor(() => alertsOf(cp, deviceId, query), done, { what, timeoutMs });
}

export async function historyKinds(cp: TestCitypulse, alertId: string): Promise<string[]> {
  const { body } = await cp.api('GET', `/alerts/${encodeURIComponent(alertId)}/history`);
  return body.items.map((e: any) => e.kind);
}

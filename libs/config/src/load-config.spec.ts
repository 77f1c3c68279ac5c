import { loadConfig, ConfigError } from './load-config.js';

const token = { CP_API_TOKEN: 'a-long-enough-admin-token' };

describe('loadConfig', () => {
  it('applies the documented defaults when only the required token is set', () => {
    const config = loadConfig(token);
    expect(config.redis.url).toBe('redis://127.0.0.1:16379');
    expect(config.mqtt.port).toBe(11883);
    expect(config.influx.api).toBe('auto');
    expect([...config.apps]).toEqual(['broker', 'ingest', 'alerts', 'api']);
  });

  it('converts numeric variables', () => {
    const config = loadConfig({ ...token, CP_MQTT_PORT: '1884', CP_INGEST_MAX_BATCH_LINES: '2000' });
    expect(config.mqtt.port).toBe(1884);
    expect(config.ingest.maxBatchLines).toBe(2000);
  });

  it('runs a broker alone unless CP_MQTT_CLUSTER=redis, and refuses any other cluster mode', () => {
    expect(loadConfig(token).mqtt.cluster).toBe('none');
    expect(loadConfig({ ...token, CP_MQTT_CLUSTER: 'redis' }).mqtt.cluster).toBe('redis');
    expect(() => loadConfig({ ...token, CP_MQTT_CLUSTER: 'mongodb' })).toThrow(/CP_MQTT_CLUSTER="mongodb"/);
  });

  it("keeps the brokers' topic tree and sessions on CP_REDIS_URL unless CP_MQTT_REDIS_URL names a server, on a Redis Cluster too", () => {
    expect(loadConfig({ ...token, CP_MQTT_CLUSTER: 'redis', CP_REDIS_URL: 'redis://main:6379' }).mqtt.redisUrl).toBe(
      'redis://main:6379',
    );
    expect(
      loadConfig({ ...token, CP_MQTT_CLUSTER: 'redis', CP_MQTT_REDIS_URL: 'redis://mqtt-state:6379' }).mqtt.redisUrl,
    ).toBe('redis://mqtt-state:6379');
    const cluster = {
      ...token,
      CP_MQTT_CLUSTER: 'redis',
      CP_REDIS_CLUSTER_NODES: '127.0.0.1:17001',
      CP_REDIS_URL: 'redis://127.0.0.1:16379',
    };
    expect(loadConfig(cluster).mqtt.redisUrl).toBe('redis://127.0.0.1:16379');
    expect(loadConfig({ ...cluster, CP_MQTT_REDIS_URL: 'redis://mqtt-state:6379' }).mqtt.redisUrl).toBe(
      'redis://mqtt-state:6379',
    );
    expect(() => loadConfig({ ...token, CP_MQTT_REDIS_URL: 'http://x' })).toThrow(/CP_MQTT_REDIS_URL="http:\/\/x"/);
  });

  it('talks to one Redis unless CP_REDIS_CLUSTER_NODES lists cluster nodes, and refuses a malformed list', () => {
    expect(loadConfig(token).redis.clusterNodes).toEqual([]);
    expect(
      loadConfig({ ...token, CP_REDIS_CLUSTER_NODES: '127.0.0.1:17001,redis-b.internal:7000,[::1]:7001' }).redis
        .clusterNodes,
    ).toEqual([
      { host: '127.0.0.1', port: 17001 },
      { host: 'redis-b.internal', port: 7000 },
      { host: '::1', port: 7001 },
    ]);
    expect(() => loadConfig({ ...token, CP_REDIS_CLUSTER_NODES: '127.0.0.1' })).toThrow(
      /CP_REDIS_CLUSTER_NODES="127.0.0.1": must be host:port/,
    );
    expect(() => loadConfig({ ...token, CP_REDIS_CLUSTER_NODES: 'a:1,,b:2' })).toThrow(/CP_REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ ...token, CP_REDIS_CLUSTER_NODES: 'a:70000' })).toThrow(/port 70000 of a is not 1-65535/);
  });

  it('names the variable and the value of every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ ...token, CP_MQTT_PORT: 'eighteen', CP_INFLUX_API: 'v3', CP_HTTP_PORT: '70000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('CP_MQTT_PORT="eighteen"');
    expect(message).toContain('CP_INFLUX_API="v3"');
    expect(message).toContain('CP_HTTP_PORT=70000');
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('refuses an MQTT packet limit that leaves no room for the largest accepted payload and its topic', () => {
    expect(() => loadConfig({ ...token, CP_MQTT_MAX_PACKET_BYTES: '66000' })).toThrow(
      /CP_MQTT_MAX_PACKET_BYTES=66000: must be at least CP_MAX_PAYLOAD_BYTES \+ 1024 \(66560\)/,
    );
    expect(loadConfig({ ...token, CP_MQTT_MAX_PACKET_BYTES: '66560' }).mqtt.maxPacketBytes).toBe(66560);
  });

  it('refuses to start without an API token', () => {
    expect(() => loadConfig({})).toThrow(/CP_API_TOKEN/);
  });
});

describe('loadConfig: MQTT transports', () => {
  it('has only plain TCP unless TLS or WebSocket ports are set', () => {
    expect(loadConfig(token).mqtt.transport).toEqual({
      plain: true,
      tlsPort: null,
      wsPort: null,
      wssPort: null,
      tls: null,
    });
  });

  it('reads a TLS listener with its files and one CA per city or one for all', () => {
    const tls = { CP_MQTT_TLS_PORT: '8883', CP_MQTT_TLS_CERT: '/p/server.pem', CP_MQTT_TLS_KEY: '/p/server.key' };
    const perCity = loadConfig({
      ...token,
      ...tls,
      CP_MQTT_TLS_CA: 'beijing:/p/bj.pem,tianjin:/p/tj.pem',
      CP_MQTT_WSS_PORT: '8884',
      CP_MQTT_WS_PORT: '8083',
    }).mqtt.transport;
    expect(perCity).toEqual({
      plain: true,
      tlsPort: 8883,
      wsPort: 8083,
      wssPort: 8884,
      tls: {
        certFile: '/p/server.pem',
        keyFile: '/p/server.key',
        deviceCas: [
          { city: 'beijing', file: '/p/bj.pem' },
          { city: 'tianjin', file: '/p/tj.pem' },
        ],
      },
    });
    expect(loadConfig({ ...token, ...tls, CP_MQTT_TLS_CA: '/p/ca.pem' }).mqtt.transport.tls?.deviceCas).toEqual([
      { city: null, file: '/p/ca.pem' },
    ]);
  });

  it('refuses a TLS or WSS port without certificate and key, naming the variables', () => {
    expect(() => loadConfig({ ...token, CP_MQTT_TLS_PORT: '8883', CP_MQTT_TLS_CERT: '/p/server.pem' })).toThrow(
      /CP_MQTT_TLS_PORT set: CP_MQTT_TLS_CERT and CP_MQTT_TLS_KEY \(PEM file paths\) are required/,
    );
    expect(() => loadConfig({ ...token, CP_MQTT_WSS_PORT: '8884' })).toThrow(
      /CP_MQTT_WSS_PORT set: CP_MQTT_TLS_CERT and CP_MQTT_TLS_KEY/,
    );
    expect(() => loadConfig({ ...token, CP_MQTT_TLS_PORT: 'tls' })).toThrow(/CP_MQTT_TLS_PORT="tls": must be a number/);
  });

  it('refuses a malformed or repeated CA list, and a CA without a TLS or WSS listener', () => {
    const tls = { CP_MQTT_TLS_PORT: '8883', CP_MQTT_TLS_CERT: '/p/s.pem', CP_MQTT_TLS_KEY: '/p/s.key' };
    expect(() => loadConfig({ ...token, ...tls, CP_MQTT_TLS_CA: 'beijing:/p/bj.pem,/p/tj.pem' })).toThrow(
      /CP_MQTT_TLS_CA="beijing:\/p\/bj.pem,\/p\/tj.pem": must be one PEM path, or city:path pairs/,
    );
    expect(() => loadConfig({ ...token, ...tls, CP_MQTT_TLS_CA: 'beijing:/a.pem,beijing:/b.pem' })).toThrow(
      /CP_MQTT_TLS_CA names beijing more than once/,
    );
    expect(() => loadConfig({ ...token, CP_MQTT_TLS_CA: '/p/ca.pem', CP_MQTT_WS_PORT: '8083' })).toThrow(
      /CP_MQTT_TLS_CA set: .* CP_MQTT_TLS_PORT or CP_MQTT_WSS_PORT is required/,
    );
    const wssOnly = { CP_MQTT_WSS_PORT: '8884', CP_MQTT_TLS_CERT: '/p/s.pem', CP_MQTT_TLS_KEY: '/p/s.key' };
    expect(loadConfig({ ...token, ...wssOnly, CP_MQTT_TLS_CA: '/p/ca.pem' }).mqtt.transport.tls?.deviceCas).toEqual([
      { city: null, file: '/p/ca.pem' },
    ]);
  });

  it('turns plain TCP off only when another listener remains', () => {
    expect(() => loadConfig({ ...token, CP_MQTT_PLAIN: 'false' })).toThrow(
      /CP_MQTT_PLAIN=false: the broker needs another listener/,
    );
    expect(loadConfig({ ...token, CP_MQTT_PLAIN: 'false', CP_MQTT_WS_PORT: '8083' }).mqtt.transport.plain).toBe(false);
    expect(() => loadConfig({ ...token, CP_MQTT_PLAIN: 'no' })).toThrow(/CP_MQTT_PLAIN="no"/);
  });
});

describe('loadConfig: device certificates the API signs', () => {
  const tls = { CP_MQTT_TLS_PORT: '8883', CP_MQTT_TLS_CERT: '/p/s.pem', CP_MQTT_TLS_KEY: '/p/s.key' };

  it('pairs each CA key with its city’s CA certificate, and signs nothing by default', () => {
    expect(loadConfig(token).deviceCertificates).toEqual({ caCerts: [], caKeys: [], validityDays: 365 });
    const perCity = loadConfig({
      ...token,
      ...tls,
      CP_MQTT_TLS_CA: 'beijing:/p/bj.pem,tianjin:/p/tj.pem',
      CP_DEVICE_CA_KEY: 'tianjin:/k/tj.key,beijing:/k/bj.key',
      CP_DEVICE_CERT_DAYS: '90',
    });
    expect(perCity.deviceCertificates).toEqual({
      caCerts: [
        { city: 'beijing', file: '/p/bj.pem' },
        { city: 'tianjin', file: '/p/tj.pem' },
      ],
      caKeys: [
        { city: 'tianjin', file: '/k/tj.key' },
        { city: 'beijing', file: '/k/bj.key' },
      ],
      validityDays: 90,
    });
    expect(
      loadConfig({ ...token, ...tls, CP_MQTT_TLS_CA: '/p/ca.pem', CP_DEVICE_CA_KEY: '/k/ca.key' }).deviceCertificates
        .caKeys,
    ).toEqual([{ city: null, file: '/k/ca.key' }]);
  });

  it('refuses keys without CAs, for other cities, or named twice, naming the variables', () => {
    expect(() => loadConfig({ ...token, CP_DEVICE_CA_KEY: '/k/ca.key' })).toThrow(
      /CP_DEVICE_CA_KEY set: CP_MQTT_TLS_CA must name/,
    );
    expect(() =>
      loadConfig({ ...token, ...tls, CP_MQTT_TLS_CA: 'beijing:/p/bj.pem', CP_DEVICE_CA_KEY: '/k/ca.key' }),
    ).toThrow(/CP_DEVICE_CA_KEY must name the cities of CP_MQTT_TLS_CA \(beijing\); it names every city/);
    expect(() =>
      loadConfig({
        ...token,
        ...tls,
        CP_MQTT_TLS_CA: 'beijing:/p/bj.pem',
        CP_DEVICE_CA_KEY: 'beijing:/a.key,beijing:/b.key',
      }),
    ).toThrow(/CP_DEVICE_CA_KEY names beijing more than once/);
    expect(() => loadConfig({ ...token, CP_DEVICE_CERT_DAYS: '0' })).toThrow(/CP_DEVICE_CERT_DAYS/);
  });
});

describe('loadConfig: the firmware images’ S3-compatible bucket', () => {
  const bucket = {
    CP_FIRMWARE_S3_BUCKET: 'citypulse-firmware',
    CP_FIRMWARE_S3_ENDPOINT: 'http://127.0.0.1:9000/',
    CP_FIRMWARE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    CP_FIRMWARE_S3_SECRET_ACCESS_KEY: 'secret-that-must-not-show',
  };

  it('keeps images in CP_FIRMWARE_DIR unless a bucket is named, and reads the bucket’s settings with their defaults', () => {
    expect(loadConfig(token).firmware.s3).toBeUndefined();
    expect(loadConfig({ ...token, ...bucket }).firmware.s3).toEqual({
      bucket: 'citypulse-firmware',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-that-must-not-show' },
      forcePathStyle: true,
      keyPrefix: '',
    });
    const aws = loadConfig({
      ...token,
      CP_FIRMWARE_S3_BUCKET: 'fw.example',
      CP_FIRMWARE_S3_REGION: 'eu-west-1',
      CP_FIRMWARE_S3_FORCE_PATH_STYLE: 'false',
      CP_FIRMWARE_S3_KEY_PREFIX: 'images/',
    }).firmware.s3;
    expect(aws).toEqual({
      bucket: 'fw.example',
      endpoint: '',
      region: 'eu-west-1',
      forcePathStyle: false,
      keyPrefix: 'images/',
    });
  });

  it('refuses incomplete or malformed S3 settings naming the variable, and never prints the secret', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...token, ...env });
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ CP_FIRMWARE_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_BUCKET: must be set when CP_FIRMWARE_S3_ENDPOINT is/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_ACCESS_KEY_ID: '' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_ACCESS_KEY_ID: must be set with CP_FIRMWARE_S3_SECRET_ACCESS_KEY/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_SECRET_ACCESS_KEY: '' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_SECRET_ACCESS_KEY: must be set with CP_FIRMWARE_S3_ACCESS_KEY_ID/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_BUCKET: 'Not_A_Bucket' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_BUCKET="Not_A_Bucket": must be an S3 bucket name/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_ENDPOINT: 'minio:9000' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_ENDPOINT="minio:9000": must be an http/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_FORCE_PATH_STYLE: 'yes' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_FORCE_PATH_STYLE="yes"/),
    ]);
    expect(problems({ ...bucket, CP_FIRMWARE_S3_KEY_PREFIX: '/abs' })).toEqual([
      expect.stringMatching(/^CP_FIRMWARE_S3_KEY_PREFIX="\/abs": may hold only/),
    ]);
    const all = problems({ ...bucket, CP_FIRMWARE_S3_ACCESS_KEY_ID: '', CP_FIRMWARE_S3_REGION: 'EU WEST' });
    expect(all.length).toBeGreaterThan(0);
    expect(all.join('\n')).not.toContain('secret-that-must-not-show');
  });
});

describe('loadConfig: retention of raw readings and rollups', () => {
  it('keeps raw readings 30 days, 1-minute rollups 180 days and 1-hour rollups 260 weeks by default, set up by citypulse', () => {
    expect(loadConfig(token).retention).toEqual({
      manage: true,
      raw: { influxql: '30d', ms: 30 * 86_400_000 },
      oneMinute: { influxql: '180d', ms: 180 * 86_400_000 },
      oneHour: { influxql: '260w', ms: 260 * 7 * 86_400_000 },
    });
  });

  it('reads hours, weeks and INF, and CP_RETENTION_MANAGE=false', () => {
    const retention = loadConfig({
      ...token,
      CP_RETENTION_RAW: '36h',
      CP_RETENTION_1M: '8w',
      CP_RETENTION_1H: 'INF',
      CP_RETENTION_MANAGE: 'false',
    }).retention;
    expect(retention).toEqual({
      manage: false,
      raw: { influxql: '36h', ms: 36 * 3_600_000 },
      oneMinute: { influxql: '8w', ms: 56 * 86_400_000 },
      oneHour: { influxql: 'INF', ms: Number.POSITIVE_INFINITY },
    });
  });

  it('refuses a duration that is not whole h, d or w or INF, naming the variable and its value', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...token, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ CP_RETENTION_RAW: '30 days' })).toEqual([
      expect.stringMatching(/^CP_RETENTION_RAW="30 days": must be a whole number of h, d or w/),
    ]);
    expect(problems({ CP_RETENTION_1M: '90m', CP_RETENTION_1H: 'inf' })).toEqual([
      expect.stringMatching(/^CP_RETENTION_1M="90m": must be/),
      expect.stringMatching(/^CP_RETENTION_1H="inf": must be/),
    ]);
    expect(problems({ CP_RETENTION_RAW: '0d' })).toEqual([expect.stringMatching(/^CP_RETENTION_RAW="0d"/)]);
    expect(problems({ CP_RETENTION_MANAGE: 'yes' })).toEqual([expect.stringMatching(/^CP_RETENTION_MANAGE="yes"/)]);
  });
});

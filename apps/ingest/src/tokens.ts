/** Injection token for the resilient InfluxDB writer the ingest worker uses. */
export const INFLUX_WRITER = Symbol('INFLUX_WRITER');

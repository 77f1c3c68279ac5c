/**
 * The keep-alive the broker holds a connection to, in seconds. MQTT 3.1.1 has no server
 * keep-alive (MQTT 5's Server Keep Alive), so a client's 0 would mean "never time out" and a
 * half-open connection would be held for ever: 0 and anything above the maximum
 * (CP_MQTT_MAX_KEEPALIVE_S) become the maximum; aedes then closes a connection silent for 1.5 × it.
 */
export function effectiveKeepaliveS(requestedS: number | undefined, maxS: number): number {
  return !requestedS || requestedS > maxS ? maxS : requestedS;
}

// Agreements are read by the API and the broker (operator MQTT subscriptions): they live in @citypulse/registry.
export {
  ShareStore,
  shareStatus,
  liveReceivers,
  isTotals,
  WHOLE_CLUSTER,
  type ShareAgreement,
  type ShareGranularity,
  type TotalsGranularity,
  type ShareState,
  type ShareStatus,
  type AlertShareSelector,
} from '@citypulse/registry';

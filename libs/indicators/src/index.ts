// @citypulse/indicators — cluster indicators: declarative definitions, which shared data they may
// use, the InfluxQL and line protocol of their values, and the newest value of each.
export {
  AGGREGATES,
  IndicatorDefinitionError,
  loadIndicatorDefinitions,
  parseIndicatorDefinitions,
  type IndicatorAggregate,
  type IndicatorCatalogue,
  type IndicatorDefinition,
  type IndicatorRule,
} from './indicator-definition.js';
export { cityScopes, CLUSTER_RECIPIENT, type CityScope, type ClusterShareTerms } from './indicator-scope.js';
export {
  combine,
  indicatorLine,
  indicatorValuesQuery,
  INDICATOR_MEASUREMENT,
  perDeviceMeansQuery,
  toDeviceMeans,
  toIndicatorValues,
  type IndicatorProvenance,
  type IndicatorValue,
} from './indicator-value.js';
export { LatestIndicatorValues } from './latest-indicator-values.js';

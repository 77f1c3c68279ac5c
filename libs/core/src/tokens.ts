/** Injection tokens for process-wide resources that are not classes. */
export const REDIS = Symbol('REDIS');
export const LOGGER = Symbol('LOGGER');

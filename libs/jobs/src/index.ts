// Public entry of @citypulse/jobs: fleet jobs (one command, config or firmware update rolled out over a selection of
// devices).
export * from './job.js';
export { JobKeys } from './job-keys.js';
export { JobStore, toSummary, type StoredJob, type InFlightDevice, type DeviceDetail } from './job-store.js';
export { JobEngine, jobImageHolder, type JobEngineDeps, type TickResult } from './job-engine.js';
export { planRollout, type RolloutView, type RolloutStep } from './rollout-plan.js';
export { jobCommandId } from './command-id.js';
export { fleetJobSchedulerId, rearmFleetJobs, scheduleFleetJob } from './job-scheduler.js';

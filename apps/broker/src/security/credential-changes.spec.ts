import { CredentialChanges } from './credential-changes.js';

describe('CredentialChanges', () => {
  it('reports a change that happened after a CONNECT began, and not one from before it', () => {
    let now = 1000;
    const changes = new CredentialChanges(60_000, () => now);
    changes.record('dev-1');
    expect(changes.changedSince('dev-1', 999)).toBe(true);
    expect(changes.changedSince('dev-1', 1001)).toBe(false);
    expect(changes.changedSince('dev-2', 0)).toBe(false);
    now = 2000;
    changes.record('dev-1');
    expect(changes.changedSince('dev-1', 1500)).toBe(true);
  });

  it('forgets changes older than it needs to remember', () => {
    let now = 0;
    const changes = new CredentialChanges(100, () => now);
    changes.record('old');
    now = 70;
    changes.record('recent');
    now = 160;
    changes.record('newest');
    expect(changes.changedSince('old', 0)).toBe(false);
    expect(changes.changedSince('recent', 0)).toBe(true);
  });
});

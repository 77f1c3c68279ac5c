import { TopicFilterTrie } from './topic-filter-trie.js';

const matches = (filters: string[], topic: string) => new TopicFilterTrie(filters).matches(topic.split('/'));

describe('TopicFilterTrie', () => {
  it.each([
    ['devices/m-1/telemetry', 'devices/m-1/telemetry'],
    ['devices/+/telemetry', 'devices/m-1/telemetry'],
    ['+/+/+', 'devices/m-1/telemetry'],
    ['#', 'devices/m-1/telemetry'],
    ['devices/#', 'devices/m-1/telemetry'],
    ['devices/m-1/telemetry/#', 'devices/m-1/telemetry'],
    ['devices/+/telemetry', 'devices//telemetry'],
  ])('%s matches %s', (filter, topic) => {
    expect(matches([filter], topic)).toBe(true);
  });

  it.each([
    ['devices/m-1/telemetry', 'devices/m-2/telemetry'],
    ['devices/+/telemetry', 'devices/m-1/state'],
    ['devices/+', 'devices/m-1/telemetry'],
    ['devices/+/telemetry/+', 'devices/m-1/telemetry'],
    ['+/+', 'devices/m-1/telemetry'],
    ['alerts/#', 'devices/m-1/telemetry'],
  ])('%s does not match %s', (filter, topic) => {
    expect(matches([filter], topic)).toBe(false);
  });

  it('matches if any filter of the set does, and nothing when empty', () => {
    expect(matches(['alerts/#', 'devices/m-9/telemetry', 'devices/+/errors'], 'devices/m-9/telemetry')).toBe(true);
    expect(matches(['alerts/#', 'devices/m-9/telemetry', 'devices/+/errors'], 'devices/m-1/telemetry')).toBe(false);
    expect(matches([], 'devices/m-1/telemetry')).toBe(false);
  });

  it('counts each filter once', () => {
    expect(new TopicFilterTrie(['a/+', 'a/+', 'a/#', 'a']).size).toBe(3);
  });
});

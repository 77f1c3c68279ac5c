/** One level of the trie: children by level text ('+' and '#' are children like any other). */
interface TrieNode {
  children: Map<string, TrieNode>;
  /** A filter ends here. */
  end: boolean;
}

const node = (): TrieNode => ({ children: new Map(), end: false });

/**
 * A set of MQTT topic filters answering one question fast: does any of them match this topic?
 * `+` matches exactly one level (an empty one too), `#` (last) matches the rest, zero levels
 * included — `a/#` matches `a` [MQTT-4.7.1-2]. Built once per change of the set; read on every
 * routed publish, so matching allocates nothing beyond the caller's level array.
 */
export class TopicFilterTrie {
  private readonly root = node();
  private filters = 0;

  constructor(filters: Iterable<string> = []) {
    for (const filter of filters) this.add(filter);
  }

  get size(): number {
    return this.filters;
  }

  add(filter: string): void {
    let at = this.root;
    for (const level of filter.split('/')) {
      let next = at.children.get(level);
      if (!next) at.children.set(level, (next = node()));
      at = next;
    }
    if (!at.end) this.filters++;
    at.end = true;
  }

  /** `levels`: the topic split on '/'. */
  matches(levels: readonly string[]): boolean {
    return this.filters > 0 && matchFrom(this.root, levels, 0);
  }
}

function matchFrom(at: TrieNode, levels: readonly string[], i: number): boolean {
  if (at.children.get('#')?.end) return true;
  if (i === levels.length) return at.end;
  const exact = at.children.get(levels[i]);
  if (exact && matchFrom(exact, levels, i + 1)) return true;
  const any = at.children.get('+');
  return any !== undefined && matchFrom(any, levels, i + 1);
}

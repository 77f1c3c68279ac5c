/** A field at fault and why, in the API's error shape (`fields` of a 400). */
export interface ShapeProblem {
  field: string;
  problems: string[];
}

/**
 * Deeper than any request citypulse takes (a bulk row is 3 levels); class-transformer recurses per level and overflows
 * its stack near 5,000.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Problems with the shape of a parsed body or query before class-transformer sees it: nesting
 * deeper than `maxDepth` (a 30 KB body of `{"a":{"a":…}}` overflowed the stack → 500), and
 * prototype-pollution keys. class-transformer silently drops `__proto__` and `constructor`, so
 * such a body passed as if the keys were not there; refusing them, as fastify's
 * secure-json-parse does (`__proto__`, and `constructor` holding `prototype`), says so instead.
 * Walks iteratively, so a hostile depth costs no stack either.
 */
export function shapeProblems(value: unknown, maxDepth = MAX_BODY_DEPTH): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const stack: Array<{ node: unknown; path: string; depth: number }> = [{ node: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) {
      problems.push({ field: path || '(body)', problems: [`nesting deeper than ${maxDepth} levels is not accepted`] });
      break;
    }
    for (const key of Object.keys(node)) {
      const field = path ? `${path}.${key}` : key;
      const child = (node as Record<string, unknown>)[key];
      if (
        key === '__proto__' ||
        (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'))
      ) {
        problems.push({ field, problems: [`${key} is not an accepted property name`] });
        continue;
      }
      stack.push({ node: child, path: field, depth: depth + 1 });
    }
  }
  return problems;
}

#!/usr/bin/env node
/**
 * Wraps comment lines longer than the line limit (prettier wraps code, never comments).
 *
 *   node scripts/reflow-comments.mjs [--check] [--width=120] [<file>...]   (default: git's *.ts, *.js, *.mjs)
 *
 * Only a line over the limit changes: it breaks at the last space that fits, and the rest goes to the
 * front of the next line of the same comment when that line continues the same paragraph (else onto a
 * new line), which may push that line over in turn. Blank comment lines, list items, `@tags` and
 * indented (code) lines start paragraphs of their own. Comments are found by the TypeScript parser, so
 * `//` inside strings, template literals and regular expressions is left alone; a comment after code
 * on the same line is reported, not moved. --check changes nothing and exits 1 if a line would change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const args = process.argv.slice(2);
const check = args.includes('--check');
const width = Number(args.find((a) => a.startsWith('--width='))?.slice('--width='.length) ?? 120);
const named = args.filter((a) => !a.startsWith('--'));
const files = named.length > 0 ? named : tracked();

/** The repository's TypeScript and JavaScript files, as git knows them. */
function tracked() {
  const out = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.mjs'], { encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && existsSync(f));
}

/** Start offsets of every comment in the file, with its kind, found through the syntax tree's trivia. */
function commentRanges(text, fileName) {
  const kind = /\.(m?js|cjs)$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const seen = new Map();
  const add = (ranges) => {
    for (const r of ranges ?? []) seen.set(r.pos, r);
  };
  const visit = (node) => {
    add(ts.getLeadingCommentRanges(text, node.getFullStart()));
    add(ts.getTrailingCommentRanges(text, node.getEnd()));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...seen.values()].sort((a, b) => a.pos - b.pos);
}

/** Which lines (0-based) are comment lines that may be rewrapped, and with which prefix. */
function wrappableLines(text, fileName) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const lines = new Map();
  const trailing = [];
  for (const r of commentRanges(text, fileName)) {
    const first = lineOf(r.pos);
    const before = text.slice(lineStarts[first], r.pos);
    if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      if (/^\s*$/.test(before)) lines.set(first, 'line');
      else trailing.push(first);
      continue;
    }
    const last = lineOf(r.end - 1);
    // Inner lines of a block comment whose lines start with ` * `; the opening and closing lines too
    // when they hold nothing but the comment.
    for (let l = first; l <= last; l++) {
      if (l === first && !/^\s*$/.test(before)) {
        trailing.push(l);
        continue;
      }
      lines.set(l, 'block');
    }
  }
  return { lines, trailing };
}

const LINE = /^(\s*\/\/\s?)(.*)$/;
const DIRECTIVE = /eslint-(disable|enable)|@ts-(expect-error|ignore|nocheck)|prettier-ignore/;
const BLOCK = /^(\s*\*\s?)(.*)$/;
const BLOCK_OPEN = /^(\s*\/\*\*?\s?)(.*)$/;

/** The prefix a wrapped remainder gets, and the text of a comment line. */
function split(line, kind) {
  if (kind === 'line') return line.match(LINE);
  return line.match(BLOCK) ?? line.match(BLOCK_OPEN);
}

/** A line that starts a paragraph of its own: nothing may be pushed to its front. */
function startsParagraph(body) {
  return (
    body.trim() === '' ||
    /^\s/.test(body) ||
    /^([-*+•]|\d+[.)]|@\w|[A-Z_]+:|\|)\s?/.test(body) ||
    /^(\*\/|```)/.test(body) ||
    body.includes('*/')
  );
}

/** Hanging indent for the continuation of a list item (`- text` → two spaces). */
function hangingIndent(body) {
  const m = body.match(/^([-*+•]|\d+[.)])\s+/);
  return m ? ' '.repeat(m[0].length) : '';
}

/** The last break point at or before `max` characters of `text` that is outside `inline code`. */
function breakAt(text, max) {
  let best = -1;
  let fallback = -1;
  let inCode = false;
  for (let i = 0; i < text.length && i <= max; i++) {
    if (text[i] === '`') inCode = !inCode;
    else if (text[i] === ' ' && i > 0 && text[i - 1] !== ' ') {
      if (!inCode) best = i;
      fallback = i;
    }
  }
  return best > 0 ? best : fallback;
}

/** A one-line `/** ... *\/` over the limit becomes a block of its own lines, which then wraps. */
function expandOneLineBlocks(text, fileName) {
  const { lines: wrappable } = wrappableLines(text, fileName);
  return text
    .split('\n')
    .map((line, i) => {
      const m = line.match(/^(\s*)(\/\*\*?)\s(.*?)\s*\*\/\s*$/);
      if (line.length <= width || wrappable.get(i) !== 'block' || !m) return line;
      return `${m[1]}${m[2]}\n${m[1]} * ${m[3]}\n${m[1]} */`;
    })
    .join('\n');
}

function reflow(original, fileName) {
  const text = expandOneLineBlocks(original, fileName);
  const { lines: wrappable, trailing } = wrappableLines(text, fileName);
  const lines = text.split('\n');
  const out = [];
  const notes = [];
  let changed = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const kind = wrappable.get(i);
    // Directives (eslint-disable-next-line, @ts-expect-error, prettier-ignore) must stay one line.
    if (!kind || line.length <= width || DIRECTIVE.test(line)) {
      out.push(line);
      if (line.length > width && (trailing.includes(i) || DIRECTIVE.test(line))) {
        notes.push(`${fileName}:${i + 1}: ${DIRECTIVE.test(line) ? 'directive' : 'comment after code'} over ${width}`);
      }
      continue;
    }
    const parts = split(line, kind);
    if (!parts) {
      out.push(line);
      notes.push(`${fileName}:${i + 1}: comment line not understood`);
      continue;
    }
    // The prefix of continuation lines: `//`, ` * ` (an opening `/**` continues with ` * `).
    let [, prefix, body] = parts;
    let nextPrefix = kind === 'block' && /\/\*/.test(prefix) ? prefix.replace(/\/\*\*?/, ' *') : prefix;
    const hang = hangingIndent(body);
    while (prefix.length + body.length > width) {
      const at = breakAt(body, width - prefix.length);
      if (at <= 0) {
        notes.push(`${fileName}:${i + 1}: no break point`);
        break;
      }
      out.push(prefix + body.slice(0, at));
      changed++;
      const rest = body.slice(at + 1);
      // Push the rest onto the next line of the same comment when it continues the paragraph.
      const next = lines[i + 1];
      const nextParts = next !== undefined && wrappable.get(i + 1) === kind ? split(next, kind) : null;
      if (nextParts && nextParts[1] === nextPrefix + hang && !startsParagraph(nextParts[2]) && !hang) {
        i++;
        prefix = nextParts[1];
        body = `${rest} ${nextParts[2]}`;
      } else if (nextParts && hang && nextParts[1] + nextParts[2].match(/^\s*/)[0] === nextPrefix + hang) {
        i++;
        prefix = nextPrefix + hang;
        body = `${rest} ${nextParts[2].trimStart()}`;
      } else {
        prefix = nextPrefix + hang;
        body = rest;
      }
      nextPrefix = prefix.slice(0, prefix.length - hang.length);
    }
    out.push(prefix + body);
  }
  return { text: out.join('\n'), changed, notes };
}

let failed = false;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const result = reflow(text, file);
  for (const note of result.notes) console.error(note);
  if (result.text === text) continue;
  if (check) {
    console.error(`${file}: ${result.changed} comment line(s) over ${width} characters`);
    failed = true;
  } else {
    writeFileSync(file, result.text);
    console.log(`${file}: ${result.changed} line(s) rewrapped`);
  }
}
process.exit(failed ? 1 : 0);

import { parseArgs } from 'node:util';
import { captureSha256, readCaptureHeader } from '../capture/capture-reader.js';
import { catalogueRuleSet } from '../backtest/rule-sets.js';
import { CITIES } from '../model/cities.js';
import { SCENARIOS } from '../scenarios/index.js';
import { UsageError } from './args.js';

/** `sim scenarios`: what each scenario does and what it declares it raises and draws. */
export function scenariosCommand(): void {
  for (const s of SCENARIOS) {
    console.log(`${s.name.padEnd(17)} ${s.summary}`);
    if (s.raises.length > 0) console.log(`${''.padEnd(17)} raises ${s.raises.join(', ')}`);
    if (s.mayRaise.length > 0)
      console.log(
        `${''.padEnd(17)} may ` +
          `raise ${s.mayRaise.length > 3 ? `${s.mayRaise.slice(0, 3).join(', ')} …` : s.mayRaise.join(', ')}`,
      );
    if (s.rejects.length > 0) console.log(`${''.padEnd(17)} rejected as ${s.rejects.join(', ')}`);
    if (s.minDurationMs > 0) console.log(`${''.padEnd(17)} needs --duration ${s.minDurationMs / 60_000}m or more`);
  }
  const cities = CITIES.map((c) => `${c.name} (UTC${c.utcOffsetMin >= 0 ? '+' : ''}${c.utcOffsetMin / 60})`);
  console.log(`\ncities: ${cities.join(', ')}`);
}

/** `sim rules`: the catalogue's rules as JSON, a starting point for a candidate rule file. */
export function rulesCommand(): void {
  console.log(JSON.stringify(catalogueRuleSet(), null, 2));
}

/** `sim hash <capture>`: the SHA-256 of a capture's content (equal traffic, equal hash) and its header. */
export async function hashCommand(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
  if (positionals.length === 0) throw new UsageError('which capture? npm run sim -- hash <file.ndjson.gz>');
  for (const path of positionals) {
    const header = await readCaptureHeader(path);
    console.log(
      `${await captureSha256(path)}  ${path}  (${header.scenario}, ` +
        `seed ${header.seed}, ${header.devices.length} devices)`,
    );
  }
}

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Only plain file names with a known extension: no path can reach outside the folder. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/;

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The console's static files (`public/`, next to this module: copied into dist/ by `npm run
 * build`), read once. What is served is exactly the set of files found here, looked up by name.
 */
export class ConsoleAssets {
  private readonly files: ReadonlyMap<string, ConsoleAsset>;

  constructor(folder: string = fileURLToPath(new URL('./public/', import.meta.url))) {
    this.files = new Map(
      readdirSync(folder)
        .filter((name) => ASSET_NAME.test(name))
        .map((name) => [
          name,
          { body: readFileSync(`${folder}/${name}`), contentType: CONTENT_TYPES[name.split('.').pop()!] },
        ]),
    );
  }

  get(name: string): ConsoleAsset | undefined {
    return ASSET_NAME.test(name) ? this.files.get(name) : undefined;
  }
}

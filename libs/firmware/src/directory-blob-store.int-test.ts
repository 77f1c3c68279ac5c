import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobStoreContract } from './blob-store.contract.js';
import { DirectoryBlobStore } from './directory-blob-store.js';

blobStoreContract({
  name: 'DirectoryBlobStore → a temporary directory',
  async open() {
    const root = mkdtempSync(join(tmpdir(), 'cp-blobs-'));
    // A directory not there yet: the store creates it on the first upload.
    const dir = join(root, 'images');
    return {
      store: new DirectoryBlobStore(dir),
      stored: async () => (existsSync(dir) ? readdirSync(dir) : []),
      close: async () => rmSync(root, { recursive: true, force: true }),
    };
  },
});

// Where the modules under test live: gateway/static, imported by file URL (no build step).
import {fileURLToPath} from 'node:url';

export const STATIC_URL = new URL('../../gateway/static', import.meta.url).href;
export const STATIC = fileURLToPath(STATIC_URL);

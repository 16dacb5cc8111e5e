export { canonicalJson, contentHash, sameJson } from './canonical-json.js';
export { sha256Hex } from './sha256.js';

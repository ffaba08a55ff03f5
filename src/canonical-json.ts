// RFC 8785 lives in the SDK (sdk/src/canonical-json.ts): clients sign capture bundles with the very code the
// server checks them with, so the two cannot drift apart.
export { CANONICAL_JSON_MAX_DEPTH, canonicalJson, JsonTooDeepError } from '../sdk/src/canonical-json';

// RFC 8785 lives in the SDK (sdk/src/canonical-json.ts): clients sign capture bundles with the very code the
// server checks them with, so the two cannot drift apart.
export { canonicalJson } from '../sdk/src/canonical-json';

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where a registry reference photo goes (our assumption that id_selfie may return one: schemas.ts
 * ReferencePhoto). Never into the adapter's `data`: that is persisted (attempt rows, the verification's
 * result, stored idempotent replies), and a registry portrait is biometric. The caller that wants the
 * photo opens a scope around the verification; the gateway in between (routing, breaker, the provider's
 * input schema) stays unaware of it, and a call outside any scope drops the photo.
 */
const sinks = new AsyncLocalStorage<(base64: string) => void>();

/** Runs `fn`; any reference photo an id_selfie answer carries during it (including through the gateway) goes to `sink`. */
export function withReferencePhotoSink<T>(sink: (base64: string) => void, fn: () => Promise<T>): Promise<T> {
  return sinks.run(sink, fn);
}

/** Hands a checked photo to the current scope's sink, if there is one. */
export function deliverReferencePhoto(base64: string): void {
  sinks.getStore()?.(base64);
}

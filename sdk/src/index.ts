export { Verigate, type CallArgs, type RequestOptions, type VerigateOptions } from './client';
export {
  buildCaptureBundle,
  captureFlashFrames,
  captureTimedFlashFrames,
  signCaptureBundle,
  toBase64,
  type BundleInput,
  type ColourWindow,
  type FlashCaptureOptions,
  type Rgb,
  type SignedBundle,
  type TimedCaptureOptions,
} from './capture';
export { canonicalJson } from './canonical-json';
export * from './errors';
export { OPERATIONS, type ErrorCode, type OperationId, type PathParams, type QueryParams, type RequestBodies } from './generated/api';
export { paginate, type Page } from './pagination';
export type * from './types';
export { verifyWebhookSignature, type VerifyWebhookOptions, type WebhookCheck } from './webhooks';

/** iDenfy simulator hosted page and webhooks: the page HTML, where a finished session redirects, and the signed webhook deliveries. */
import type { IdenfyEventType } from '../schemas';
import { signWebhook } from '../webhook';
import { identityData, type Session, type Step } from './scenarios';

export interface WebhookDelivery {
  scanRef: string;
  eventType: IdenfyEventType;
  url: string | null;
  /** HTTP status of the receiver's answer; null when nothing answered. */
  status: number | null;
  error?: string;
}

/** Sends one step's signed webhook to the token's callbackUrl, else the dashboard's webhookUrl; a failure is recorded, not thrown. */
export async function deliver(
  s: Session,
  step: Step,
  started: boolean,
  webhookUrl: string | null,
  signingKey: string,
): Promise<WebhookDelivery> {
  const url = (s.token.callbackUrl as string | null) ?? webhookUrl;
  const base = { scanRef: s.scanRef, eventType: step.event, url };
  if (!url) return { ...base, status: null, error: 'no webhook URL configured' };
  const body = JSON.stringify(webhookPayload(s, step, started));
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idenfy-Event-Type': step.event, 'Idenfy-Signature': signWebhook(body, signingKey) },
      body,
      // iDenfy gives receivers 10 s to answer 2xx.
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { ...base, status: res.status };
  } catch (e) {
    return { ...base, status: null, error: (e as Error).message };
  }
}

function webhookPayload(s: Session, step: Step, started: boolean): Record<string, unknown> {
  return {
    final: step.final,
    platform: started ? 'PC' : null,
    status: {
      overall: step.overall,
      fraudTags: step.fraudTags ?? [],
      mismatchTags: step.mismatchTags ?? [],
      autoFace: step.autoFace,
      manualFace: step.manualFace ?? null,
      autoDocument: step.autoDocument,
      manualDocument: step.manualDocument ?? null,
      additionalSteps: null,
    },
    data: identityData(s),
    fileUrls: {},
    scanRef: s.scanRef,
    externalRef: s.token.externalRef,
    clientId: s.token.clientId,
    companyId: 'sim-company',
    beneficiaryId: 'sim-beneficiary',
    startTime: s.startTime ?? null,
    finishTime: s.finishTime ?? null,
    clientIp: started ? '127.0.0.1' : null,
    clientIpCountry: started ? 'ID' : null,
    clientLocation: started ? 'Jakarta' : null,
  };
}

export function finishUrl(s: Session): string {
  const key = s.status === 'APPROVED' ? 'successUrl' : s.status === 'SUSPECTED' || s.status === 'REVIEWING' ? 'unverifiedUrl' : 'errorUrl';
  return s.token[key] as string;
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
export const hostedForm = (s: Session) =>
  `<p>iDenfy simulator, scenario <strong>${escapeHtml(s.scenario)}</strong>, session ${escapeHtml(s.scanRef)}.</p>` +
  `<form method="post" action="/sim/hosted/${encodeURIComponent(s.authToken)}/complete"><button type="submit">Complete</button></form>`;

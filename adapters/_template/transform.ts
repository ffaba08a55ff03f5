import type { NameCheckInput } from '../check-inputs';
import { parseBody, readAnswer, type RawExchange } from '../http';
import type { AdapterOutcome, UpstreamFacts } from '../types';
import { ExampleCheckResponse, ExampleErrorBody, type ExampleCheckRequest } from './schemas';

/**
 * TEMPLATE. Pure translations: the suite's input to the vendor's body, and the vendor's answer to facts
 * (which the mapping table reads: config/error-map/<vendor>.json) plus the data integrators get. No suite
 * code is chosen here: that is the table's job.
 */

export const toCheckBody = (input: NameCheckInput): ExampleCheckRequest => ({ nik: input.idNumber, full_name: input.name });

/** What integrators see of a name check: the verdict, never the vendor's copy of personal data. */
export interface ExampleCheckData {
  verdict: ExampleCheckResponse['verdict'];
}

/** The vendor's error code beside the status (readAnswer keeps the status); an unreadable error body adds nothing. */
function errorFacts(text: string): UpstreamFacts {
  const parsed = parseBody(text, ExampleErrorBody);
  return parsed.ok ? { code: parsed.value.error.code } : {};
}

export const checkOutcome = (raw: RawExchange): AdapterOutcome<ExampleCheckData> =>
  readAnswer(raw, {
    success: [200],
    schema: ExampleCheckResponse,
    read: (body) => ({ data: { verdict: body.verdict }, facts: { result: body.verdict, requestId: body.reference } }),
    error: (_status, text) => errorFacts(text),
  });

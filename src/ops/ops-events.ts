import type { Logger } from '../logger';
import type { OperatorAudit } from './operator-audit';

/**
 * Where operator actions go once audited: the seam for ops events (`provider.state_changed`, operator
 * events) to integrators' and ops' endpoints. Called after the audit row is committed and the action done.
 */
export interface OpsEvents {
  operatorActed(audit: OperatorAudit): Promise<void>;
}

/** Until events are delivered: one structured log line per action (ids and the reason; no tenant data). */
export const loggedOpsEvents = (logger: Logger): OpsEvents => ({
  async operatorActed(audit) {
    logger.warn(
      { audit: audit.action, auditId: audit.id, operatorKeyId: audit.operatorKeyId, target: audit.target, reason: audit.reason, detail: audit.detail },
      'operator action',
    );
  },
});

import type { Logger } from '../logger';
import type { OperatorAudit } from './operator-audit';

/**
 * Where operator actions go once audited, besides the `provider.state_changed` events recorded with the audit
 * (src/ops/operator-actions.ts): the ops log. Called after the audit row is committed and the action done.
 */
export interface OpsEvents {
  operatorActed(audit: OperatorAudit): Promise<void>;
}

/** One structured log line per action for the operators' log (ids and the reason; no tenant data). */
export const loggedOpsEvents = (logger: Logger): OpsEvents => ({
  async operatorActed(audit) {
    logger.warn(
      { audit: audit.action, auditId: audit.id, operatorKeyId: audit.operatorKeyId, target: audit.target, reason: audit.reason, detail: audit.detail },
      'operator action',
    );
  },
});

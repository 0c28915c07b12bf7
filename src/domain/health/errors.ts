import { DomainError } from '../shared/domain-error';

/** Why /health/ready says no: each one a reason a balancer should send this instance nothing new. */
/** `<check>_down` names a critical dependency that did not answer (postgresql_down). */
export type NotReadyReason = 'shutting_down' | 'migrations_pending' | 'migrations_unknown' | `${string}_down`;

/** The instance is up but must not be sent traffic (503 SERVICE_NOT_READY on /health/ready). */
export class ServiceNotReady extends DomainError {
  readonly code = 'SERVICE_NOT_READY';
  constructor(reasons: readonly NotReadyReason[]) {
    super('The service is not ready to take requests', { reasons: [...reasons] });
  }
}

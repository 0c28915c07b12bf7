import { InMemoryAuditLog } from '../../src/adapters/in-memory/fakes/in-memory-audit-log';
import { auditLogContract } from '../contract/audit-log.contract';

auditLogContract('InMemoryAuditLog', async (origin, clock) => new InMemoryAuditLog(origin, clock));

import type { RequestHandler } from 'express';
import type { MaintenanceGate } from '../../../application/database/restores/maintenance-gate';

/**
 * 503 MAINTENANCE (with Retry-After) for a write while an in-place restore runs on any instance.
 * The route builder puts it on every route that writes, so no route checks for itself.
 */
export function refuseWritesDuringMaintenance(gate: MaintenanceGate): RequestHandler {
  return (_req, _res, next) => {
    gate.assertWritable().then(() => next(), next);
  };
}

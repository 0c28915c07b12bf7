import { DomainError } from '../shared/domain-error';

/** A restore is already queued or running (here or on another instance): one at a time. */
export class RestoreInProgress extends DomainError {
  readonly code = 'RESTORE_IN_PROGRESS';
  constructor(details: { restore_id?: string } = {}) {
    super('A database restore is already queued or running; retry when it has finished', details);
  }
}

/** No restore has this id. */
export class RestoreNotFound extends DomainError {
  readonly code = 'RESTORE_NOT_FOUND';
  constructor(id: string) {
    super(`No restore has id ${id}`, { restore_id: id });
  }
}

/** The database a new_database restore would create exists already: it is never overwritten. */
export class RestoreTargetExists extends DomainError {
  readonly code = 'RESTORE_TARGET_EXISTS';
  constructor(databaseName: string) {
    super(`Database ${databaseName} already exists; choose another database_name`, { database_name: databaseName });
  }
}

import type { Restore } from '../../../domain/database/restore';
import { RestoreNotFound } from '../../../domain/database/restore-errors';
import type { RestoreRepository } from '../../ports/restore-repository.port';

export class GetRestore {
  constructor(private readonly restores: RestoreRepository) {}

  async execute(id: string): Promise<Restore> {
    const restore = await this.restores.findById(id);
    if (!restore) throw new RestoreNotFound(id);
    return restore;
  }
}

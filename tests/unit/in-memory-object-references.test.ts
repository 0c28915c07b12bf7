import { InMemoryObjectReferences } from '../../src/adapters/in-memory/fakes/in-memory-object-references';
import { objectReferencesContract } from '../contract/object-references.contract';

objectReferencesContract('InMemoryObjectReferences', async () => {
  const references = new InMemoryObjectReferences();
  return {
    references,
    fileAt: async (key) => void references.refer(key),
    renditionAt: async (key) => void references.refer(key),
    backupAt: async (key) => void references.refer(key),
    session: async (uploadId, objectKey, expiresAt) => void references.upload(uploadId, expiresAt, objectKey),
  };
});

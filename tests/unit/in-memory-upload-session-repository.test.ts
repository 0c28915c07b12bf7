import { InMemoryUploadSessionRepository } from '../../src/adapters/in-memory/fakes/in-memory-upload-session-repository';
import { uploadSessionRepositoryContract } from '../contract/upload-session-repository.contract';

uploadSessionRepositoryContract('InMemoryUploadSessionRepository', async () => new InMemoryUploadSessionRepository());

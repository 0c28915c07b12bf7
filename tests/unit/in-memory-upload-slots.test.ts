import { InMemoryUploadSlots } from '../../src/adapters/in-memory/fallbacks/in-memory-upload-slots';
import { uploadSlotsContract } from '../contract/upload-slots.contract';

uploadSlotsContract('InMemoryUploadSlots', async () => {
  const slots = new InMemoryUploadSlots();
  return { slots, close: () => slots.close() };
});

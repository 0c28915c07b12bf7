import { createHash } from 'node:crypto';
import { SegmentedAesGcmCipher } from '../../src/adapters/crypto/segmented-aes-gcm-cipher';
import { Keyring } from '../../src/domain/crypto/keyring';
import { contentCipherContract } from '../contract/content-cipher.contract';

/** A fixed 32-byte key per id, so two keyrings naming the same id hold the same key. */
const keyOf = (id: string) => createHash('sha256').update(`test-master-${id}`).digest('base64');

contentCipherContract('SegmentedAesGcmCipher', (ids, active) => new SegmentedAesGcmCipher(Keyring.parse(ids.map((id) => `${id}:${keyOf(id)}`).join(','), active)));

import { JimpImageTransformer } from '../../src/adapters/image/jimp-image-transformer';
import { SharpImageTransformer } from '../../src/adapters/image/sharp-image-transformer';
import { imageTransformerContract } from '../contract/image-transformer.contract';

imageTransformerContract('sharp', () => new SharpImageTransformer());
imageTransformerContract('jimp', () => new JimpImageTransformer(), {
  cannotWrite: { webp: 'jimp 1.6 has no WebP encoder without its WebAssembly plugin' },
});

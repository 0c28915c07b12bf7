import { NoneCdnPurger } from '../../src/adapters/cdn/none-cdn-purger';
import { cdnPurgerContract } from '../contract/cdn-purger.contract';

cdnPurgerContract('NoneCdnPurger', 'https://origin.example.test', async () => ({ purger: new NoneCdnPurger(), close: async () => undefined }), 'none');

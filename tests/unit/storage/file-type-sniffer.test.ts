import { FileTypeSniffer } from '../../../src/adapters/media/file-type-sniffer';
import { contentSnifferContract } from '../../contract/content-sniffer.contract';

contentSnifferContract('FileTypeSniffer', () => new FileTypeSniffer());

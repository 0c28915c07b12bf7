import { MediaMetadataExtractor } from '../../../src/adapters/media/media-metadata-extractor';
import { metadataExtractorContract } from '../../contract/metadata-extractor.contract';

metadataExtractorContract('MediaMetadataExtractor', () => new MediaMetadataExtractor());

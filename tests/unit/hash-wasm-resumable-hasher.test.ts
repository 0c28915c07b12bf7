import { HashWasmResumableHasher } from '../../src/adapters/hashing/hash-wasm-resumable-hasher';
import { resumableHasherContract } from '../contract/resumable-hasher.contract';

resumableHasherContract('HashWasmResumableHasher', () => new HashWasmResumableHasher());

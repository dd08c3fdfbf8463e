/**
 * node:zlib's inflater meets every hostile and mutated archive the fflate one does
 * (src/artifacts/testing/hostile-extraction.ts), with the same refusals.
 */
import { describeHostileExtraction } from '../artifacts/testing/hostile-extraction.ts';
import { zlibRawInflater } from './zlib-raw-inflater.ts';

// zlib refuses one damaged stream more than fflate, which extracts it to the original bytes.
describeHostileExtraction(zlibRawInflater, {
  zip: { refused: 245, extracted: 55 },
  gzip: { refused: 273, extracted: 27 },
});

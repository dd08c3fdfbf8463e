/**
 * Hostile and mutated archives against the extractor with fflate's inflater, the tab's
 * (the cases: testing/hostile-extraction.ts; src/cli runs them with node:zlib's).
 */
import { describeHostileExtraction } from './testing/hostile-extraction.ts';

// Small entries inflate in one call, which refuses 4 damaged streams the stepwise inflater let
// through to the CRC check (they were extracted whole before, to the original bytes).
describeHostileExtraction(undefined, {
  zip: { refused: 244, extracted: 56 },
  gzip: { refused: 273, extracted: 27 },
});

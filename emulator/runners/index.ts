/** Runners and runner managers in the emulator state (docs/runner-protocol.md §2). */
export {
  createRunner,
  normalizeTags,
  parseTagList,
  touchManager,
  LEGACY_SYSTEM_ID,
  type RunnerSettings,
} from './create-runner.ts';
export { newAuthenticationToken, newJobToken, newLegacyToken, newSecret } from './runner-tokens.ts';

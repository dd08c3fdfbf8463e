export { TabrunnerError, hasErrorCode } from './tabrunner-error.ts';

export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.ts';
export { TabrunnerError, hasErrorCode } from './tabrunner-error.ts';

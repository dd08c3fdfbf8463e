/** tabrunner's version as GitLab sees it (`info.version`, the trace header). */
import packageJson from '../../package.json' with { type: 'json' };

export const TABRUNNER_VERSION: string = packageJson.version;
/** Build revision; replaced at build time when known. */
export const TABRUNNER_REVISION = 'dev';

/**
 * The words of the `get_sources` stage in the job's trace: the lines GitLab's runner prints
 * (docs/runner-protocol.md §9.5) and tabrunner's warnings for what it does not do (submodules,
 * Git LFS). Text only: which lines are printed when is `get-sources.ts`'s business.
 */
import type { SourcesLine, SourcesSettings } from './sources-types.ts';

const notice = (text: string): SourcesLine => ({ kind: 'notice', text });
const plain = (text: string): SourcesLine => ({ kind: 'plain', text });
const warning = (text: string): SourcesLine => ({ kind: 'warning', text });

/** A list of paths, at most three of them named. */
function firstPaths(paths: string[]): string {
  return `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', ...' : ''}`;
}

export const sourcesTrace = {
  skipped: (strategy: 'none' | 'empty'): SourcesLine =>
    notice(
      strategy === 'none'
        ? 'Skipping Git repository setup'
        : 'Skipping Git repository setup and creating an empty build directory',
    ),

  fetching: (depth: number): SourcesLine =>
    notice(depth ? `Fetching changes with git depth set to ${depth}...` : 'Fetching changes...'),

  /** `where`: the project directory's `.git`, or the store's location. */
  initialized: (reused: boolean, where: string): SourcesLine =>
    plain(`${reused ? 'Reinitialized existing' : 'Initialized empty'} Git repository in ${where}/`),

  createdRepository: (): SourcesLine => notice('Created fresh repository.'),

  checkingOut: (sha: string, ref: string): SourcesLine =>
    notice(`Checking out ${sha.slice(0, 8)} as detached HEAD (ref is ${ref})...`),

  skippedCheckout: (): SourcesLine => notice('Skipping Git checkout'),

  lfsPointers: (paths: string[]): SourcesLine =>
    warning(
      `Git LFS is not supported by tabrunner: ${paths.length} LFS file(s) are left ` +
        `as pointer files (${firstPaths(paths)}).`,
    ),

  /**
   * The submodule stage: what the runner prints for the strategy, and a warning when the
   * strategy asks for submodules tabrunner does not set up (`submodules`: the checkout's
   * gitlinks; without a checkout they are unknown).
   */
  submodules: (
    settings: Pick<SourcesSettings, 'submoduleStrategy' | 'checkout'>,
    submodules: string[],
  ): SourcesLine[] => {
    const strategy = settings.submoduleStrategy;
    if (strategy === 'none') return [notice('Skipping Git submodules setup')];
    const lines = [
      notice(
        `Updating/initializing submodules${strategy === 'recursive' ? ' recursively' : ''}...`,
      ),
    ];
    const one = submodules.length === 1;
    if (submodules.length) {
      lines.push(
        warning(
          `Git submodules are not supported by tabrunner: ${submodules.join(', ')} ` +
            `${one ? 'is' : 'are'} left as empty ` +
            `director${one ? 'y' : 'ies'} (GIT_SUBMODULE_STRATEGY=${strategy}).`,
        ),
      );
    } else if (!settings.checkout) {
      lines.push(warning('Git submodules are not supported by tabrunner; none were set up.'));
    }
    return lines;
  },
};

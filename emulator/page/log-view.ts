/**
 * How a reader asked to see a job's log, kept in the page's URL so the page's refresh keeps
 * it: the page has no script and a refresh rebuilds it, so a checkbox ticked on the page itself
 * would be unticked every two seconds while the job runs.
 * - `follow`: stay at the log's end as it grows. Loading the same URL again cannot do that:
 *   browsers put a reloaded page back at the offset the reader was at, which is right for
 *   someone reading the middle and wrong for someone watching the end. So a following page
 *   refreshes to a new URL each time (`at`, the render's time) that targets the anchor after
 *   the log; a URL that differed only in its fragment would scroll without loading anything.
 * - `timestamps`: show the time column of docs/runner-protocol.md §9.6.
 */

/** The anchor after the log, where a following page's refresh goes. */
export const LOG_END_ID = 'log-end';

export interface LogView {
  follow: boolean;
  timestamps: boolean;
}

/** The view a job page's query asks for; other parameters are ignored. */
export function logViewOf(query: URLSearchParams): LogView {
  return { follow: query.has('follow'), timestamps: query.has('timestamps') };
}

/**
 * The job page at `path` with `view`: at the log's end when following; `at` makes the URL
 * differ from the one the page was loaded at (see the module comment).
 */
export function logViewUrl(path: string, view: LogView, at?: number): string {
  const params = [
    view.follow ? 'follow' : '',
    view.timestamps ? 'timestamps' : '',
    view.follow && at !== undefined ? `at=${at}` : '',
  ].filter((param) => param !== '');
  const query = params.length > 0 ? `?${params.join('&')}` : '';
  return `${path}${query}${view.follow ? `#${LOG_END_ID}` : ''}`;
}

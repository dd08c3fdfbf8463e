/**
 * The page's stylesheet: GitLab-like log colours (dark terminal), section headers, and the
 * timestamp column that only shows when "Show timestamps" is ticked.
 */
const ANSI = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const NORMAL = ['#000', '#e24329', '#12b886', '#f2c94c', '#4c9aff', '#c678dd', '#56b6c2', '#ccc'];
const LIGHT = ['#777', '#ff6b6b', '#51cf66', '#ffe066', '#74c0fc', '#e599f7', '#66d9e8', '#fff'];

const colours = ANSI.flatMap((name, i) => [
  `.fg-${name}{color:${NORMAL[i]}}`,
  `.fg-l-${name}{color:${LIGHT[i]}}`,
  `.bg-${name}{background:${NORMAL[i]}}`,
  `.bg-l-${name}{background:${LIGHT[i]}}`,
]).join('');

export const PAGE_STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;color:#222}',
  'header{background:#292961;padding:.6em 1em}header a{color:#fff;text-decoration:none;font-weight:600}',
  'main{padding:1em 1.5em}table{border-collapse:collapse;margin-bottom:1.5em}',
  'td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}',
  '.status{border-radius:1em;padding:.05em .6em;font-size:.85em;border:1px solid #999}',
  '.status-success{color:#108548;border-color:#108548}.status-failed{color:#dd2b0e;border-color:#dd2b0e}',
  '.status-running{color:#1f75cb;border-color:#1f75cb}.status-pending{color:#ab6100;border-color:#ab6100}',
  '.stuck{color:#ab6100;font-size:.8em;font-weight:600;cursor:help}',
  '.stuck-banner{background:#fdf1dd;border:1px solid #e9be74;color:#5c3900;border-radius:.3em;padding:.6em .8em}',
  '.trace{background:#1f1f1f;color:#ccc;font:13px/1.45 ui-monospace,monospace;padding:.8em;white-space:pre-wrap;word-break:break-all}',
  '.trace summary{cursor:pointer;list-style-position:inside}.trace summary .line{display:inline}',
  '.trace .duration{float:right;color:#999;background:#333;border-radius:.6em;padding:0 .5em}',
  '.ts{color:#888;margin-right:1em;display:none}#show-times:checked~.trace .ts{display:inline}',
  '.bold{font-weight:bold}.italic{font-style:italic}.underline{text-decoration:underline}',
  colours,
].join('');

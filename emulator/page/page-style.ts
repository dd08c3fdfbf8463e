/**
 * The page's stylesheet, after GitLab's: status badges and icons in its colours, the pipeline
 * graph's stage columns, job pills and groups of parallel jobs, forms and buttons, and the log viewer's colours (dark
 * terminal), section headers and the timestamp column that only shows when the reader asked
 * for timestamps (`.show-times`, emulator/page/log-view.ts).
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
  ':root{--border:#dcdcde;--muted:#626168;--bg-subtle:#fbfafd;--blue:#1f75cb;--green:#108548;--red:#dd2b0e;--orange:#ab6100;--grey:#737278}',
  'body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#333238;background:#fff}',
  'a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}',
  'header{display:flex;align-items:center;gap:1.5em;background:#1f1e24;padding:0 1.2em;height:48px}',
  'header a{color:#ececef}header .brand{font-weight:700;color:#fff}header .brand span{font-weight:400;color:#bfbfc3}',
  'header nav{display:flex;gap:.3em}header nav a{padding:.3em .7em;border-radius:4px}',
  'header nav a[aria-current=page]{background:#3a383f;color:#fff}',
  '.session{margin-left:auto;display:flex;align-items:center;gap:.6em;color:#bfbfc3;font-size:.9em}',
  '.session .who{color:#fff}.session .read-only{color:#bfbfc3}.session .btn-link{color:#bfbfc3}',
  'main{padding:1em 1.5em;max-width:1200px}',
  '.page-title{display:flex;align-items:center;gap:1em;border-bottom:1px solid var(--border);margin-bottom:1em}',
  '.page-title h1{font-size:1.5em;margin:.4em 0;flex:1}h1 small{color:var(--muted);font-weight:400}',
  'h2{font-size:1.15em;margin:1.2em 0 .5em}',
  '.empty,.hint,.muted{color:var(--muted)}.hint{margin-top:0}',
  'form.action{display:inline;margin:0}',
  '.btn{font:inherit;border:1px solid #bfbfc3;background:#fff;color:#333238;border-radius:4px;padding:.3em .8em;cursor:pointer;display:inline-block}',
  '.btn:hover{background:#ececef;text-decoration:none}',
  '.btn-confirm{background:var(--blue);border-color:var(--blue);color:#fff}.btn-confirm:hover{background:#0b5cad}',
  '.btn-danger{color:var(--red);border-color:var(--red)}.btn-danger:hover{background:#fdd4cd}',
  '.btn-link{border:0;background:none;padding:0;color:var(--blue)}.btn-link:hover{background:none;text-decoration:underline}',
  '.btn-icon{border-radius:50%;width:24px;height:24px;padding:0;font-size:12px;line-height:22px;text-align:center;margin-left:auto;color:var(--muted)}',
  '.ci-status{display:inline-flex;align-items:center;gap:.3em;border-radius:1em;padding:0 .6em 0 .25em;font-size:.85em;font-weight:600;border:1px solid currentColor;line-height:1.7;vertical-align:middle;color:var(--grey)}',
  '.ci-icon{display:inline-flex;align-items:center;justify-content:center;width:16px;height:16px;border-radius:50%;border:1.5px solid currentColor;font-size:9px;font-weight:700;flex:none;color:var(--grey);letter-spacing:-1px}',
  '.status-success{color:var(--green)}.status-failed{color:var(--red)}.status-running{color:var(--blue)}',
  '.status-pending,.status-blocked,.status-manual{color:var(--orange)}.status-canceled,.status-canceling,.status-skipped,.status-created{color:var(--grey)}',
  '.ci-icon.status-success{background:var(--green);color:#fff;border-color:var(--green)}.ci-icon.status-failed{background:var(--red);color:#fff;border-color:var(--red)}',
  '.pipeline{border:1px solid var(--border);border-radius:4px;margin-bottom:1em}',
  '.pipeline-head{display:flex;align-items:center;flex-wrap:wrap;gap:.7em;padding:.6em .9em;background:var(--bg-subtle);border-bottom:1px solid var(--border)}',
  '.commit{padding:8px 16px 0;font-size:14px}.commit-title{color:#333238}.pipeline-id{font-weight:600}.project{font-weight:600;color:#333238}.facts{color:var(--muted)}.spacer{flex:1}',
  '.ref{background:#ececef;border-radius:3px;padding:0 .4em;font-family:ui-monospace,monospace;font-size:.9em;color:#333238}',
  'code{font-family:ui-monospace,monospace;font-size:.9em}',
  '.graph{display:flex;gap:2.5em;padding:1em 1.2em;overflow-x:auto;background:#fff}',
  '.stage{min-width:180px}.stage h3{font-size:.8em;text-transform:capitalize;color:var(--muted);margin:0 0 .6em;font-weight:600}',
  '.job{display:flex;align-items:center;gap:.45em;border:1px solid var(--border);border-radius:2em;padding:.25em .3em .25em .45em;margin-bottom:.5em;background:#fff;min-height:26px;box-shadow:0 1px 2px rgba(5,5,6,.05)}',
  '.job a{color:#333238;flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:14em}',
  '.job .action{margin-left:auto}',
  '.job-group>summary{cursor:pointer;list-style:none}.job-group>summary::-webkit-details-marker{display:none}',
  '.job-group .group-name{flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:14em;color:#333238}',
  '.job-group .count{background:#ececef;color:#535158;border-radius:1em;padding:0 .5em;font-size:.8em;font-weight:600;margin-right:.2em}',
  '.group-jobs{padding-left:.8em;border-left:2px solid var(--border);margin:0 0 .5em .6em}',
  '.retried{padding:0 1.2em .7em;color:var(--muted);font-size:.9em}.retried ul{list-style:none;padding-left:.5em;margin:.3em 0}.retried li{display:flex;gap:.4em;align-items:center}',
  '.label-danger,.label-success,.label-info,.label-muted{border-radius:1em;padding:0 .55em;font-size:.8em;font-weight:600}',
  '.label-danger{background:#fdd4cd;color:#8d1300}.label-success{background:#c3e6cd;color:#0a4020}.label-info{background:#cbe2f9;color:#0b5cad}.label-muted{background:#ececef;color:#535158}',
  '.tag{background:#ececef;border-radius:3px;padding:0 .4em;margin-right:.3em;font-size:.85em}',
  '.alert{border-radius:4px;padding:.7em 1em;margin:.8em 1.2em}main>.alert,.page-title+.alert{margin:.8em 0}',
  '.alert-danger{background:#fcf1ef;border:1px solid #fdd4cd;color:#8d1300}.alert-info{background:#e9f3fc;border:1px solid #cbe2f9;color:#0b5cad}',
  'table{border-collapse:collapse;margin-bottom:1.5em;width:100%}',
  'td,th{padding:.5em .8em;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}th{font-size:.85em;color:var(--muted);background:var(--bg-subtle)}',
  '.runner{border-right:1px solid var(--border)}',
  '.run-form{display:flex;flex-direction:column;gap:.4em;max-width:36em}.run-form label{font-weight:600;margin-top:.6em}.run-form small{font-weight:400;color:var(--muted)}',
  '.run-form select,.run-form textarea{font:inherit;padding:.35em;border:1px solid #89888d;border-radius:4px}.run-form textarea{font-family:ui-monospace,monospace}',
  '.form-actions{margin-top:1em;display:flex;gap:.5em}',
  '.stuck{color:var(--orange);font-size:.8em;font-weight:600;cursor:help}',
  '.stuck-banner{background:#fdf1dd;border:1px solid #e9be74;color:#5c3900;border-radius:.3em;padding:.6em .8em}',
  '.trace{background:#1f1f1f;color:#ccc;font:13px/1.45 ui-monospace,monospace;padding:.8em;white-space:pre-wrap;word-break:break-all;border-radius:4px}',
  '.trace summary{cursor:pointer;list-style-position:inside}.trace summary .line{display:inline}',
  '.trace .duration{float:right;color:#999;background:#333;border-radius:.6em;padding:0 .5em}',
  '.ts{color:#888;margin-right:1em;display:none}.show-times .ts{display:inline}',
  '.bold{font-weight:bold}.italic{font-style:italic}.underline{text-decoration:underline}',
  colours,
].join('');

/**
 * Save bytes or text as a file the browser downloads: a blob URL on a temporary anchor, revoked
 * once the download had time to start (revoking at once can cancel it in some browsers).
 */
export function downloadFile(name: string, data: Uint8Array | string, type: string): void {
  const part = typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

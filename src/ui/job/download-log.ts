/** Save a job's log (the exact masked bytes sent to GitLab, timestamps included) as a file. */
export function downloadLog(jobId: number, bytes: Uint8Array): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'text/plain' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = `job-${jobId}.log`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

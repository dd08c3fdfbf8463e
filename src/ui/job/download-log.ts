import { downloadFile } from '../download.ts';

/** Save a job's log (the exact masked bytes sent to GitLab, timestamps included) as a file. */
export function downloadLog(jobId: number, bytes: Uint8Array): void {
  downloadFile(`job-${jobId}.log`, bytes, 'text/plain');
}

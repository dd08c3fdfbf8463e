/** How a stage's long work reads on the page: what is moving, and how far it has got. */
import type { JobTransfer } from '../../runner/index.ts';
import { formatBytes } from '../format.ts';

export interface TransferText {
  /** What is happening, e.g. `Archiving artifacts.zip`. */
  label: string;
  /** The numbers, e.g. `1.5 MiB of 4.0 MiB · 2 of 3 files · 600.0 KiB archive`. */
  detail: string;
  /** 0–100 when the total is known and not zero, else `null` (no percentage to show). */
  percent: number | null;
}

export function transferText(transfer: JobTransfer): TransferText {
  const { total, loaded } = transfer;
  return {
    label: label(transfer),
    detail: detail(transfer),
    percent:
      total !== undefined && total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : null,
  };
}

function label({ phase, name, done }: JobTransfer): string {
  switch (phase) {
    case 'connecting':
    case 'fetching':
      return `Fetching ${name}`;
    case 'checkout':
      return `${done ? 'Checked out' : 'Checking out'} ${name}`;
    case 'collecting':
      return `${done ? 'Collected' : 'Collecting'} files for ${name}`;
    case 'archiving':
      return `${done ? 'Archived' : 'Archiving'} ${name}`;
    case 'uploading':
      return `${done ? 'Uploaded' : 'Uploading'} ${name}`;
    case 'downloading':
      return `${done ? 'Downloaded' : 'Downloading'} artifacts of ${name}`;
    case 'extracting':
      return `${done ? 'Extracted' : 'Extracting'} artifacts of ${name}`;
  }
}

function detail(transfer: JobTransfer): string {
  const { phase, step, files, bytes, done, total } = transfer;
  switch (phase) {
    case 'connecting':
      return 'connecting…';
    case 'fetching':
      return [
        transfer.unit === 'objects' ? `${step ? `${step}: ` : ''}${amount(transfer)}` : null,
        bytes ? `${formatBytes(bytes)} received` : null,
      ]
        .filter((part) => part !== null)
        .join(' · ');
    case 'uploading':
      // No percentage: the browser cannot tell how much of a request body has gone out.
      return done ? `${formatBytes(total ?? 0)} sent` : `sending ${formatBytes(bytes ?? 0)}`;
    case 'archiving':
      return [
        amount(transfer),
        files ? count(files.done, files.total, 'files') : null,
        bytes !== undefined ? `${formatBytes(bytes)} archive` : null,
      ]
        .filter((part) => part !== null)
        .join(' · ');
    case 'extracting':
      return [amount(transfer), files ? count(files.done, files.total, 'files') : null]
        .filter((part) => part !== null)
        .join(' · ');
    default:
      return amount(transfer);
  }
}

/** `3 of 10 files`, `1.0 MiB of 4.0 MiB`, `120 objects`. */
function amount({ unit, loaded, total }: JobTransfer): string {
  if (unit === 'bytes') {
    return total === undefined
      ? formatBytes(loaded)
      : `${formatBytes(loaded)} of ${formatBytes(total)}`;
  }
  return count(loaded, total, unit);
}

/** `3 of 10 files`, `1 of 1 file`, `120 objects`. */
function count(done: number, total: number | undefined, unit: 'files' | 'objects'): string {
  const noun = (total ?? done) === 1 ? unit.slice(0, -1) : unit;
  return total === undefined ? `${done} ${noun}` : `${done} of ${total} ${noun}`;
}

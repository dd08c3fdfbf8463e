import { describe, expect, it } from 'vitest';
import type { JobTransfer } from '../../runner/index.ts';
import { transferText } from './transfer-text.ts';

const MiB = 1024 * 1024;

describe('transferText', () => {
  it('gives a download with a known size its numbers and a percentage', () => {
    const transfer: JobTransfer = {
      direction: 'download',
      name: 'build',
      phase: 'downloading',
      unit: 'bytes',
      loaded: 1.5 * MiB,
      total: 4 * MiB,
      done: false,
    };
    expect(transferText(transfer)).toEqual({
      label: 'Downloading artifacts of build',
      detail: '1.5 MiB of 4.0 MiB',
      percent: 37,
    });
  });

  it('gives a download without Content-Length its bytes and no percentage', () => {
    const text = transferText({
      direction: 'download',
      name: 'build',
      phase: 'downloading',
      unit: 'bytes',
      loaded: 2048,
      done: false,
    });
    expect(text).toMatchObject({ detail: '2.0 KiB', percent: null });
  });

  it('shows an upload in flight as its size, never as a percentage, and its end as sent', () => {
    const sending: JobTransfer = {
      direction: 'upload',
      name: 'artifacts.zip',
      phase: 'uploading',
      unit: 'bytes',
      loaded: 0,
      bytes: 3 * MiB,
      done: false,
    };
    expect(transferText(sending)).toEqual({
      label: 'Uploading artifacts.zip',
      detail: 'sending 3.0 MiB',
      percent: null,
    });
    expect(transferText({ ...sending, loaded: 3 * MiB, total: 3 * MiB, done: true })).toEqual({
      label: 'Uploaded artifacts.zip',
      detail: '3.0 MiB sent',
      percent: 100,
    });
  });

  it('shows archiving as bytes in, files done and archive bytes out', () => {
    const text = transferText({
      direction: 'upload',
      name: 'artifacts.zip',
      phase: 'archiving',
      unit: 'bytes',
      loaded: MiB,
      total: 4 * MiB,
      files: { done: 1, total: 3 },
      bytes: 512 * 1024,
      done: false,
    });
    expect(text).toEqual({
      label: 'Archiving artifacts.zip',
      detail: '1.0 MiB of 4.0 MiB · 1 of 3 files · 512.0 KiB archive',
      percent: 25,
    });
  });

  it('shows git’s step and object counts while fetching sources, and counts files in the singular', () => {
    expect(
      transferText({
        direction: 'sources',
        name: 'group/project',
        phase: 'fetching',
        step: 'Receiving objects',
        unit: 'objects',
        loaded: 120,
        total: 300,
        bytes: 2 * MiB,
        done: false,
      }),
    ).toEqual({
      label: 'Fetching group/project',
      detail: 'Receiving objects: 120 of 300 objects · 2.0 MiB received',
      percent: 40,
    });
    expect(
      transferText({
        direction: 'upload',
        name: 'junit.xml.gz',
        phase: 'collecting',
        unit: 'files',
        loaded: 1,
        total: 1,
        done: true,
      }),
    ).toMatchObject({ label: 'Collected files for junit.xml.gz', detail: '1 of 1 file' });
  });

  it('has no percentage for a phase with nothing to do', () => {
    const text = transferText({
      direction: 'upload',
      name: 'artifacts.zip',
      phase: 'collecting',
      unit: 'files',
      loaded: 0,
      total: 0,
      done: true,
    });
    expect(text.percent).toBeNull();
  });
});

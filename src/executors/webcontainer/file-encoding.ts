/**
 * The encodings just-bash names when it reads or writes a file (Node's `BufferEncoding`), for a
 * file API that only moves bytes. just-bash hands binary data over as latin1 strings flagged
 * `binary`.
 */
import type { BufferEncoding, FileContent } from 'just-bash';

const encoder = new TextEncoder();

export function encodeContent(content: FileContent, encoding: BufferEncoding): Uint8Array {
  if (typeof content !== 'string') return content;
  switch (encoding) {
    case 'binary':
    case 'latin1':
      return Uint8Array.from(content, (c) => c.charCodeAt(0) & 0xff);
    case 'base64':
      return Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
    case 'hex':
      return Uint8Array.from(content.match(/../g) ?? [], (h) => parseInt(h, 16));
    default:
      return encoder.encode(content);
  }
}

export function decodeContent(bytes: Uint8Array, encoding: BufferEncoding): string {
  switch (encoding) {
    case 'binary':
    case 'latin1': {
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return text;
    }
    case 'base64':
      return btoa(decodeContent(bytes, 'latin1'));
    case 'hex':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    default:
      return new TextDecoder().decode(bytes);
  }
}

/**
 * Strings ↔ bytes in Node's encodings, for code that runs where `Buffer` may not exist: the
 * `Buffer` stand-in the browser tests give isomorphic-git (test/support/buffer-polyfill.ts), just-bash's file and stdin
 * strings (binary data travels there as latin1, one char per byte), and transcripts (base64).
 * Names are matched case-insensitively, as Node does; an unknown name means UTF-8.
 */

export type ByteEncoding = 'utf8' | 'utf-8' | 'hex' | 'base64' | 'latin1' | 'binary' | 'ascii';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** `String.fromCharCode` takes its bytes as arguments; this many stay below engines' limits. */
const CHARS_PER_CALL = 0x8000;

export function encodeString(text: string, encoding: string = 'utf8'): Uint8Array {
  switch (encoding.toLowerCase() as ByteEncoding) {
    case 'hex': {
      const out = new Uint8Array(text.length >>> 1);
      for (let i = 0; i < out.length; i++) {
        const byte = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
        // Node stops at the first pair that is not hex.
        if (Number.isNaN(byte)) return out.subarray(0, i);
        out[i] = byte;
      }
      return out;
    }
    case 'base64':
      // Node skips what is not base64 (line breaks, spaces); `atob` would throw on it.
      return encodeString(atob(text.replace(/[^A-Za-z0-9+/=]/g, '')), 'latin1');
    case 'latin1':
    case 'binary':
    case 'ascii': {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    default:
      return utf8Encoder.encode(text);
  }
}

export function decodeBytes(bytes: Uint8Array, encoding: string = 'utf8'): string {
  switch (encoding.toLowerCase() as ByteEncoding) {
    case 'hex': {
      let out = '';
      for (const b of bytes) out += b.toString(16).padStart(2, '0');
      return out;
    }
    case 'base64':
      return btoa(decodeBytes(bytes, 'latin1'));
    case 'latin1':
    case 'binary':
    case 'ascii': {
      let out = '';
      for (let i = 0; i < bytes.length; i += CHARS_PER_CALL)
        out += String.fromCharCode(...bytes.subarray(i, i + CHARS_PER_CALL));
      return out;
    }
    default:
      return utf8Decoder.decode(bytes);
  }
}

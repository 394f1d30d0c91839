// snappyjs ships no types: the two functions Pharos uses (https://github.com/zhipeng-jia/snappyjs, index.js).
declare module 'snappyjs' {
  /** Snappy block format (not the framed stream format), as Loki's push protocol uses it. */
  export function uncompress<T extends Uint8Array>(compressed: T, maxLength?: number): T;
  export function compress<T extends Uint8Array>(uncompressed: T): T;
}

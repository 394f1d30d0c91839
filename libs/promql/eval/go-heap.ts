/**
 * Go's container/heap (up/down exactly as in the standard library), so topk/bottomk pick the same series
 * as Prometheus when values tie.
 */
type Less<T> = (a: T, b: T) => boolean;

function swap<T>(h: T[], i: number, j: number): void {
  const t = h[i] as T;
  h[i] = h[j] as T;
  h[j] = t;
}

function up<T>(h: T[], j0: number, less: Less<T>): void {
  let j = j0;
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (i === j || j <= 0 || !less(h[j] as T, h[i] as T)) break;
    swap(h, i, j);
    j = i;
  }
}

/** container/heap's down(h, i0, n): sifts h[from] down within the first `size` elements. */
function down<T>(h: T[], { from, size: n }: { from: number; size: number }, less: Less<T>): void {
  let i = from;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2] as T, h[j1] as T)) j = j2;
    if (!less(h[j] as T, h[i] as T)) break;
    swap(h, i, j);
    i = j;
  }
}

export function goHeapPush<T>(h: T[], x: T, less: Less<T>): void {
  h.push(x);
  up(h, h.length - 1, less);
}

export function goHeapPop<T>(h: T[], less: Less<T>): T | undefined {
  const n = h.length - 1;
  swap(h, 0, n);
  down(h, { from: 0, size: n }, less);
  return h.pop();
}

/** heap.Fix: restores the heap after the element at i changed. */
export function goHeapFix<T>(h: T[], i: number, less: Less<T>): void {
  const before = h[i];
  down(h, { from: i, size: h.length }, less);
  if (h[i] === before) up(h, i, less);
}

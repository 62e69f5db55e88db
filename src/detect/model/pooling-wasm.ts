/**
 * The max-pooled block's two loops as WebAssembly SIMD, written here as bytes (the project has no WebAssembly
 * toolchain): the max of 16-bit vector components eight at a time (i16x8.max_s), and each head's dot product
 * with the pooled vector in the same four running sums, in the same order, as LinearTextModel's JavaScript
 * (two f64x2 sums: lanes d, d + 1 and d + 2, d + 3 of every four dimensions), so that its results are the same
 * bits. WebAssembly neither fuses a multiply into an add nor reorders them.
 *
 * Memory, laid out by `simdPooling` (byte offsets, each 16-aligned): the vectors as int16 (count × stride lanes,
 * stride the dimension rounded up to 8, padding lanes 0), the rows to pool (int32, one per vector row at most),
 * the max (int16 × stride, then 8 spare lanes), the max as float64 (stride), the weights (float64, heads ×
 * stride, category-major, padding 0) and the heads' four sums (float64, heads × 4).
 */

/** Where each region starts, and the sizes the kernels were built for. */
export interface PoolingLayout {
  vectors: number;
  rows: number;
  max: number;
  maxFloat: number;
  weights: number;
  sums: number;
  /** The word cache's rows (float32, cacheRows × rowFloats), a chunk of rows outside it, a chunk's row list, and the rows' sums (float64). */
  cache: number;
  scratch: number;
  list: number;
  rowSums: number;
  bytes: number;
  rowFloats: number;
  chunk: number;
  /** Lanes per vector row (the dimension rounded up to 8). */
  stride: number;
  /** Dimensions that the dot products read (a multiple of 4). */
  dim: number;
  heads: number;
}

export function poolingLayout(count: number, dim: number, heads: number, cacheRows = 0, rowFloats = 0, chunk = 0): PoolingLayout {
  const stride = Math.ceil(dim / 8) * 8;
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const vectors = 0;
  const rows = align(vectors + count * stride * 2);
  const max = align(rows + Math.max(1, count) * 4);
  const maxFloat = align(max + (stride + 8) * 2);
  const weights = align(maxFloat + stride * 8);
  const sums = align(weights + heads * stride * 8);
  const cache = align(sums + heads * 4 * 8);
  const scratch = align(cache + cacheRows * rowFloats * 4);
  const list = align(scratch + chunk * rowFloats * 4);
  const rowSums = align(list + chunk * 4);
  const bytes = align(rowSums + rowFloats * 8);
  return { vectors, rows, max, maxFloat, weights, sums, cache, scratch, list, rowSums, bytes, stride, dim: Math.ceil(dim / 4) * 4, heads, rowFloats, chunk };
}

// Opcodes used below (WebAssembly core and SIMD).
const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_LT_S = 0x48;
const I32_GE_S = 0x4e;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const SELECT = 0x1b;
const I32_LOAD = 0x28;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const EMPTY = 0x40;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const I16X8_MAX_S = 0x98;
const I32X4_EXTEND_LOW_I16X8_S = 0xa7;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;
const F64X2_CONVERT_LOW_I32X4_S = 0xfe;
const V128_LOAD64_ZERO = 0x5d;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (op: number) => [SIMD, ...uleb(op)];
const i32 = (value: number) => [I32_CONST, ...sleb(value)];
const get = (local: number) => [LOCAL_GET, local];
const set = (local: number) => [LOCAL_SET, local];
/** memarg: alignment hint 0 (any address), offset. */
const memarg = (offset = 0) => [0, ...uleb(offset)];
const load = (offset = 0) => [...simd(V128_LOAD), ...memarg(offset)];
const store = (offset = 0) => [...simd(V128_STORE), ...memarg(offset)];

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  return vector([...text].map((c) => [c.charCodeAt(0)]));
}

/** pool(count): max over rows[0, count) (count ≥ 1) of each lane into `max`, and `max` as float64 into `maxFloat`. */
function poolBody(l: PoolingLayout): number[] {
  // Locals: 0 count (param), 1 i, 2 base, 3 v.
  const rowBytes = l.stride * 2;
  const rowBase = (index: number[]) => [...i32(l.rows), ...index, ...i32(4), I32_MUL, I32_ADD, I32_LOAD, 2, 0, ...i32(rowBytes), I32_MUL, ...i32(l.vectors), I32_ADD];
  return [
    ...[1, 3, I32],
    // base = vectors + rows[0] * rowBytes; max[v] = row[v] for every 16 bytes v.
    ...rowBase(i32(0)), ...set(2),
    ...i32(0), ...set(3),
    LOOP, EMPTY,
    ...get(3), ...get(2), ...get(3), I32_ADD, ...load(), ...store(l.max),
    ...get(3), ...i32(16), I32_ADD, ...set(3),
    ...get(3), ...i32(rowBytes), I32_LT_S, BR_IF, 0,
    END,
    ...i32(1), ...set(1),
    BLOCK, EMPTY,
    LOOP, EMPTY,
    ...get(1), ...get(0), I32_GE_S, BR_IF, 1,
    ...rowBase([...get(1)]), ...set(2),
    ...i32(0), ...set(3),
    LOOP, EMPTY,
    ...get(3), ...get(3), ...load(l.max), ...get(2), ...get(3), I32_ADD, ...load(), ...simd(I16X8_MAX_S), ...store(l.max),
    ...get(3), ...i32(16), I32_ADD, ...set(3),
    ...get(3), ...i32(rowBytes), I32_LT_S, BR_IF, 0,
    END,
    ...get(1), ...i32(1), I32_ADD, ...set(1),
    BR, 0,
    END,
    END,
    // maxFloat[d], maxFloat[d + 1] = max[d], max[d + 1] for d = 0, 2, …, stride − 2 (v counts bytes of max).
    ...i32(0), ...set(3),
    LOOP, EMPTY,
    ...get(3), ...i32(4), I32_MUL,
    ...get(3), ...load(l.max), ...simd(I32X4_EXTEND_LOW_I16X8_S), ...simd(F64X2_CONVERT_LOW_I32X4_S),
    ...store(l.maxFloat),
    ...get(3), ...i32(4), I32_ADD, ...set(3),
    ...get(3), ...i32(l.stride * 2), I32_LT_S, BR_IF, 0,
    END,
    END,
  ];
}

/** dot(): for each head k, sums[4k..4k+3] = the four running sums of maxFloat[d] · weights[k][d] over d < dim. */
function dotBody(l: PoolingLayout): number[] {
  // Locals: 0 k (bytes into weights), 1 d (bytes), 2 s (bytes into sums), 3 acc01, 4 acc23.
  const zero = [...simd(V128_CONST), ...new Array<number>(16).fill(0)];
  const headBytes = l.stride * 8;
  return [
    ...[2, 3, I32, 2, V128],
    ...i32(0), ...set(0),
    ...i32(0), ...set(2),
    LOOP, EMPTY,
    ...zero, ...set(3),
    ...zero, ...set(4),
    ...i32(0), ...set(1),
    LOOP, EMPTY,
    ...get(3), ...get(1), ...load(l.maxFloat), ...get(0), ...get(1), I32_ADD, ...load(l.weights), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(3),
    ...get(4), ...get(1), ...load(l.maxFloat + 16), ...get(0), ...get(1), I32_ADD, ...load(l.weights + 16), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(4),
    ...get(1), ...i32(32), I32_ADD, ...set(1),
    ...get(1), ...i32(l.dim * 8), I32_LT_S, BR_IF, 0,
    END,
    ...get(2), ...get(3), ...store(l.sums),
    ...get(2), ...get(4), ...store(l.sums + 16),
    ...get(2), ...i32(32), I32_ADD, ...set(2),
    ...get(0), ...i32(headBytes), I32_ADD, ...set(0),
    ...get(0), ...i32(l.heads * headBytes), I32_LT_S, BR_IF, 0,
    END,
    END,
  ];
}

/**
 * sumRows(count): for each entry e of list[0, count) — a row's byte address, plus 1 where the whole row counts —
 * rowSums[j] += row[j] for the row's first 2 × heads floats, or all rowFloats: each sum adds the same terms in
 * the same order as the JavaScript loop it replaces.
 */
function sumRowsBody(l: PoolingLayout): number[] {
  // Locals: 0 count (param), 1 t, 2 base, 3 end (bytes of the row to read), 4 p (bytes read).
  const wordBytes = 2 * l.heads * 4;
  const fullBytes = l.rowFloats * 4;
  return [
    ...[1, 4, I32],
    ...i32(0), ...set(1),
    BLOCK, EMPTY,
    LOOP, EMPTY,
    ...get(1), ...get(0), I32_GE_S, BR_IF, 1,
    ...get(1), ...i32(4), I32_MUL, I32_LOAD, 2, ...uleb(l.list), ...set(2),
    ...i32(fullBytes), ...i32(wordBytes), ...get(2), ...i32(1), I32_AND, SELECT, ...set(3),
    ...get(2), ...i32(-8), I32_AND, ...set(2),
    ...i32(0), ...set(4),
    LOOP, EMPTY,
    ...get(4), ...i32(1), I32_SHL,
    ...get(4), ...i32(1), I32_SHL, ...load(l.rowSums),
    ...get(2), ...get(4), I32_ADD, ...simd(V128_LOAD64_ZERO), ...memarg(), ...simd(F64X2_PROMOTE_LOW_F32X4),
    ...simd(F64X2_ADD), ...store(l.rowSums),
    ...get(4), ...i32(8), I32_ADD, ...set(4),
    ...get(4), ...get(3), I32_LT_S, BR_IF, 0,
    END,
    ...get(1), ...i32(1), I32_ADD, ...set(1),
    BR, 0,
    END,
    END,
    END,
  ];
}

/** The module's bytes: it imports its memory as env.memory (`pages` pages) and exports pool, dot and sumRows. */
export function poolingModule(l: PoolingLayout, pages: number): Uint8Array<ArrayBuffer> {
  const types = section(1, vector([[0x60, ...vector([[I32]]), ...vector([])], [0x60, ...vector([]), ...vector([])]]));
  const imports = section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(pages)]]));
  const functions = section(3, vector([[0], [1], [0]]));
  const exports = section(7, vector([[...name('pool'), 0x00, 0], [...name('dot'), 0x00, 1], [...name('sumRows'), 0x00, 2]]));
  const code = (body: number[]) => [...uleb(body.length), ...body];
  const codes = section(10, vector([code(poolBody(l)), code(dotBody(l)), code(sumRowsBody(l))]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...codes]);
}

/** The kernels over their memory: callers write rows and read max, sums. */
export class SimdPooling {
  /** Where callers list the vector rows to pool (room for every row once). */
  readonly rows: Int32Array;
  /** After pool(): the max of each dimension (stride lanes; the first dim are the vectors'). */
  readonly max: Int16Array;
  /** After dot(): head k's four running sums at 4k … 4k + 3. */
  readonly sums: Float64Array;
  readonly vectors: Int16Array;
  readonly stride: number;
  /** The word cache's rows (rowFloats each), a chunk of rows outside it, and the list and sums of sumRows(). */
  readonly cachedRows: Float32Array;
  readonly scratchRows: Float32Array;
  readonly list: Int32Array;
  readonly rowSums: Float64Array;
  private readonly poolKernel: (count: number) => void;
  private readonly dotKernel: () => void;
  private readonly sumRowsKernel: (count: number) => void;

  private constructor(memory: WebAssembly.Memory, instance: WebAssembly.Instance, readonly layout: PoolingLayout, count: number) {
    const { buffer } = memory;
    this.stride = layout.stride;
    this.vectors = new Int16Array(buffer, layout.vectors, count * layout.stride);
    this.rows = new Int32Array(buffer, layout.rows, Math.max(1, count));
    this.max = new Int16Array(buffer, layout.max, layout.stride);
    this.sums = new Float64Array(buffer, layout.sums, layout.heads * 4);
    this.cachedRows = new Float32Array(buffer, layout.cache, layout.cache === layout.scratch ? 0 : (layout.scratch - layout.cache) / 4);
    this.scratchRows = new Float32Array(buffer, layout.scratch, layout.chunk * layout.rowFloats);
    this.list = new Int32Array(buffer, layout.list, layout.chunk);
    this.rowSums = new Float64Array(buffer, layout.rowSums, layout.rowFloats);
    this.poolKernel = instance.exports.pool as (count: number) => void;
    this.dotKernel = instance.exports.dot as () => void;
    this.sumRowsKernel = instance.exports.sumRows as (count: number) => void;
  }

  /** Adds the rows list[0, count) names (see sumRowsBody) into rowSums. */
  sumRows(count: number): void {
    this.sumRowsKernel(count);
  }

  /**
   * Kernels for `count` vectors of `dim` int16 components (filled by the caller through `vectors`) and `heads` heads
   * whose weights `weightOf(k, d)` gives; null where WebAssembly SIMD is not available.
   */
  static create(count: number, dim: number, heads: number, weightOf: (k: number, d: number) => number, cacheRows = 0, chunk = 0): SimdPooling | null {
    const rowFloats = 3 * heads;
    if (dim % 4 !== 0 || rowFloats % 2 !== 0 || typeof WebAssembly !== 'object') return null;
    const layout = poolingLayout(count, dim, heads, cacheRows, rowFloats, chunk);
    const pages = Math.ceil(layout.bytes / 65536);
    const bytes = poolingModule(layout, pages);
    if (!WebAssembly.validate(bytes)) return null;
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      const kernels = new SimdPooling(memory, instance, layout, count);
      const weights = new Float64Array(memory.buffer, layout.weights, heads * layout.stride);
      for (let k = 0; k < heads; k++) for (let d = 0; d < dim; d++) weights[k * layout.stride + d] = weightOf(k, d);
      return kernels;
    } catch {
      return null;
    }
  }

  /** Max-pools rows[0, count) (count ≥ 1) into `max` (and the float copy dot() reads). */
  pool(count: number): void {
    this.poolKernel(count);
  }

  /** Each head's four running sums over the pooled max, into `sums`. */
  dot(): void {
    this.dotKernel();
  }
}

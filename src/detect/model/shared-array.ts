/**
 * Typed arrays over SharedArrayBuffers: the model's large read-only tables are built once, in the thread that
 * loads the model, and handed to the detection worker (src/detect/thread.ts), which computes over the same
 * memory instead of reading and deriving its own copy. A worker receives such an array (in workerData or a
 * message) as a view of the same memory, not a copy. Nothing writes them after they are built.
 */

type TypedArray = Int8Array | Uint8Array | Int32Array | Uint32Array | Float32Array | Float64Array;

interface TypedArrayType<T extends TypedArray> {
  new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A zero-filled array of `length` elements of `Type` over a new SharedArrayBuffer. */
export function sharedArray<T extends TypedArray>(Type: TypedArrayType<T>, length: number): T {
  return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT), 0, length);
}

/** A copy of `values` as a `Type` array over a new SharedArrayBuffer. */
export function sharedCopy<T extends TypedArray>(Type: TypedArrayType<T>, values: ArrayLike<number>): T {
  const copy = sharedArray(Type, values.length);
  copy.set(values);
  return copy;
}

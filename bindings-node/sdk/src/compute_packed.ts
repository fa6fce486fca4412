// The JS side of the packed batch layout of the native module's
// `compute_packed.rs`: a batch of events or of outputs crosses as three
// Buffers instead of one object (BigInts, a Buffer) per event, which cost
// more to build through N-API than the daemon's own work. Unpacked
// payloads are views into the batch's one data Buffer, not copies.
import type { CausalEvent } from './compute_daemon';

/** Packed events: `meta` 16 bytes each (origin hash, sequence: u64 LE), payloads back to back, their u32 LE ends. */
export interface PackedEvents {
  meta: Buffer;
  data: Buffer;
  ends: Buffer;
}

/** Packed outputs: u32 LE count per event, the outputs back to back, their u32 LE ends. */
export interface PackedOutputs {
  counts: Buffer;
  data: Buffer;
  ends: Buffer;
}

function u32s(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  return out;
}

export function packEvents(events: readonly CausalEvent[]): PackedEvents {
  const meta = Buffer.alloc(events.length * 16);
  const ends: number[] = [];
  let end = 0;
  events.forEach((e, i) => {
    meta.writeBigUInt64LE(e.originHash, i * 16);
    meta.writeBigUInt64LE(e.sequence, i * 16 + 8);
    end += e.payload.length;
    ends.push(end);
  });
  return { meta, data: Buffer.concat(events.map((e) => e.payload)), ends: u32s(ends) };
}

export function unpackEvents(p: PackedEvents): CausalEvent[] {
  const events: CausalEvent[] = [];
  let start = 0;
  for (let i = 0; i < p.ends.length / 4; i++) {
    const end = p.ends.readUInt32LE(i * 4);
    events.push({
      originHash: p.meta.readBigUInt64LE(i * 16),
      sequence: p.meta.readBigUInt64LE(i * 16 + 8),
      payload: p.data.subarray(start, end),
    });
    start = end;
  }
  return events;
}

export function packOutputs(outputs: readonly Buffer[][]): PackedOutputs {
  const ends: number[] = [];
  let end = 0;
  for (const out of outputs) {
    for (const b of out) {
      end += b.length;
      ends.push(end);
    }
  }
  return { counts: u32s(outputs.map((o) => o.length)), data: Buffer.concat(outputs.flat()), ends: u32s(ends) };
}

export function unpackOutputs(p: PackedOutputs): Buffer[][] {
  const outputs: Buffer[][] = [];
  let k = 0;
  let start = 0;
  for (let i = 0; i < p.counts.length / 4; i++) {
    const out: Buffer[] = [];
    for (let n = p.counts.readUInt32LE(i * 4); n > 0; n--, k++) {
      const end = p.ends.readUInt32LE(k * 4);
      out.push(p.data.subarray(start, end));
      start = end;
    }
    outputs.push(out);
  }
  return outputs;
}

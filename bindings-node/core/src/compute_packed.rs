//! Batches cross between Rust and JS packed, not as arrays of objects:
//! building or reading one JS object, BigInt or Buffer per event through
//! N-API costs more than the daemon's work, so a batch is three Buffers.
//!
//! - events: `meta` (16 bytes per event: origin hash, sequence, u64 LE),
//!   `data` (the payloads back to back), `ends` (u32 LE per event: where
//!   its payload ends in `data`);
//! - outputs: `counts` (u32 LE per event: how many outputs it has),
//!   `data`, `ends` (u32 LE per output).
//!
//! The SDK's `compute_packed.ts` is the JS side of the same layout.

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use net_sdk::compute::CausalEvent;

use crate::error::{invalid, Result};

/// A packed run of events.
#[napi(object)]
pub struct JsPackedEvents {
    pub meta: Buffer,
    pub data: Buffer,
    pub ends: Buffer,
}

/// The packed outputs of a run of events.
#[napi(object)]
pub struct JsPackedOutputs {
    pub counts: Buffer,
    pub data: Buffer,
    pub ends: Buffer,
}

fn u32s(raw: &[u8], what: &str) -> Result<Vec<usize>> {
    if raw.len() % 4 != 0 {
        return Err(invalid(format!("{what}: {} bytes is not a whole number of u32s", raw.len())));
    }
    Ok(raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize).collect())
}

/// Split `data` at `ends` (each within `data`, never decreasing).
fn slices(data: &[u8], ends: &[usize], what: &str) -> Result<Vec<Bytes>> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            if end < start || end > data.len() {
                return Err(invalid(format!("{what}: end {end} is outside {start}..={}", data.len())));
            }
            let piece = Bytes::copy_from_slice(&data[start..end]);
            start = end;
            Ok(piece)
        })
        .collect()
}

fn ends_of<'a>(pieces: impl Iterator<Item = &'a Bytes>, data: &mut Vec<u8>) -> Vec<u8> {
    let mut ends = Vec::new();
    for p in pieces {
        data.extend_from_slice(p);
        ends.extend_from_slice(&(data.len() as u32).to_le_bytes());
    }
    ends
}

pub(crate) fn pack_events(events: &[CausalEvent]) -> JsPackedEvents {
    let mut meta = Vec::with_capacity(events.len() * 16);
    for e in events {
        meta.extend_from_slice(&e.origin_hash().to_le_bytes());
        meta.extend_from_slice(&e.sequence().to_le_bytes());
    }
    let mut data = Vec::new();
    let ends = ends_of(events.iter().map(|e| &e.payload), &mut data);
    JsPackedEvents { meta: meta.into(), data: data.into(), ends: ends.into() }
}

pub(crate) fn unpack_events(p: &JsPackedEvents) -> Result<Vec<CausalEvent>> {
    let ends = u32s(&p.ends, "events.ends")?;
    if p.meta.len() != ends.len() * 16 {
        return Err(invalid(format!("events.meta holds {} bytes for {} events (16 each)", p.meta.len(), ends.len())));
    }
    let payloads = slices(&p.data, &ends, "events")?;
    Ok(p.meta
        .chunks_exact(16)
        .zip(payloads)
        .map(|(m, payload)| {
            let origin = u64::from_le_bytes(m[..8].try_into().expect("8 bytes"));
            let seq = u64::from_le_bytes(m[8..].try_into().expect("8 bytes"));
            CausalEvent::new(origin, seq, payload)
        })
        .collect())
}

pub(crate) fn pack_outputs(outputs: &[Vec<Bytes>]) -> JsPackedOutputs {
    let counts: Vec<u8> = outputs.iter().flat_map(|o| (o.len() as u32).to_le_bytes()).collect();
    let mut data = Vec::new();
    let ends = ends_of(outputs.iter().flatten(), &mut data);
    JsPackedOutputs { counts: counts.into(), data: data.into(), ends: ends.into() }
}

pub(crate) fn unpack_outputs(p: &JsPackedOutputs) -> Result<Vec<Vec<Bytes>>> {
    let counts = u32s(&p.counts, "outputs.counts")?;
    let ends = u32s(&p.ends, "outputs.ends")?;
    if counts.iter().sum::<usize>() != ends.len() {
        return Err(invalid("outputs: the counts do not add up to the number of ends"));
    }
    let mut pieces = slices(&p.data, &ends, "outputs")?.into_iter();
    Ok(counts.iter().map(|&n| pieces.by_ref().take(n).collect()).collect())
}

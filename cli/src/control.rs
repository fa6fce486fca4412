//! The control protocol between the `net bus …` / `net stats` commands and
//! `net node run`: one JSON object per mesh message on [`CONTROL_STREAM`],
//! a reliable stream of the client's session with the node.
//!
//! Every message carries `"v": 1` (a node refuses other versions) and the
//! request's `id`, echoed in its replies:
//!
//! | request `op` | fields | reply |
//! |---|---|---|
//! | `emit` | `events`: JSON texts | `accepted` |
//! | `poll` | `limit`, `cursor` (or null) | `events` [{`id`, `raw`}], `next`, `has_more` |
//! | `tail` | — | `following: true`, then one `{"event": {…}}` message per live event |
//! | `stats` | — | `bus`, `mesh`, `prometheus` (the text `/metrics` serves) |
//!
//! A failed request gets `"ok": false` with `kind` and `message`.
//!
//! [`CONTROL_STREAM`]: crate::link::CONTROL_STREAM

use bytes::Bytes;
use net_sdk::mesh::{Mesh, MeshStream, MAX_MESSAGE_SIZE};
use net_sdk::{Event, Net};
use serde_json::{json, Value};

use crate::fail::{Fail, Result};

/// The protocol version this build speaks.
pub const VERSION: u64 = 1;

/// A request as the client sends it.
pub fn request(id: u64, op: &str, mut fields: Value) -> Bytes {
    fields["v"] = json!(VERSION);
    fields["id"] = json!(id);
    fields["op"] = json!(op);
    Bytes::from(fields.to_string())
}

/// Parse a message; `None` for anything that is not a JSON object of our version.
pub fn parse(m: &[u8]) -> std::result::Result<Value, String> {
    let v: Value = serde_json::from_slice(m).map_err(|e| format!("not JSON: {e}"))?;
    match v.get("v").and_then(Value::as_u64) {
        Some(VERSION) => Ok(v),
        Some(other) => Err(format!("protocol version {other}, this node speaks {VERSION}")),
        None => Err("no protocol version".into()),
    }
}

pub fn event_json(e: &Event) -> Value {
    json!({ "id": e.id.to_string(), "shard": e.shard_id, "ts": e.insertion_ts, "raw": e.raw_str() })
}

fn reply(id: u64, mut body: Value) -> Bytes {
    body["v"] = json!(VERSION);
    body["id"] = json!(id);
    if body.get("ok").is_none() {
        body["ok"] = json!(true);
    }
    Bytes::from(body.to_string())
}

fn error(id: u64, kind: &str, message: impl std::fmt::Display) -> Bytes {
    reply(id, json!({ "ok": false, "kind": kind, "message": message.to_string() }))
}

/// Serve one client's control stream until its session ends.
pub async fn serve(mesh: &Mesh, bus: &Net, stream: &MeshStream) {
    let mut tails = Vec::new();
    while let Ok(m) = mesh.recv(stream).await {
        let answer = match parse(&m) {
            Err(why) => error(0, "bad_request", why),
            Ok(req) => {
                let id = req.get("id").and_then(Value::as_u64).unwrap_or(0);
                match req.get("op").and_then(Value::as_str).unwrap_or("") {
                    "emit" => emit(bus, id, &req),
                    "poll" => poll(bus, id, &req).await,
                    "stats" => reply(id, stats(bus, mesh)),
                    "tail" => {
                        let events = bus.subscribe(Default::default());
                        let (mesh, stream) = (mesh.clone(), stream.clone());
                        tails.push(tokio::spawn(forward(mesh, stream, events, id)));
                        reply(id, json!({ "following": true }))
                    }
                    other => error(id, "bad_request", format!("unknown op '{other}'")),
                }
            }
        };
        if mesh.send_blocking(stream, &[answer]).await.is_err() {
            break;
        }
    }
    for t in tails {
        t.abort();
    }
}

fn emit(bus: &Net, id: u64, req: &Value) -> Bytes {
    let Some(events) = req.get("events").and_then(Value::as_array) else {
        return error(id, "bad_request", "emit needs 'events'");
    };
    let mut accepted = 0u64;
    for e in events {
        let Some(text) = e.as_str() else { return error(id, "bad_request", "events are JSON texts") };
        if let Err(e) = bus.emit_str(text) {
            return reply(id, json!({ "ok": false, "kind": e.kind(), "message": e.to_string(), "accepted": accepted }));
        }
        accepted += 1;
    }
    reply(id, json!({ "accepted": accepted }))
}

async fn poll(bus: &Net, id: u64, req: &Value) -> Bytes {
    let limit = req.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let cursor = req.get("cursor").and_then(Value::as_str).map(str::to_owned);
    if let Err(e) = bus.flush().await {
        return error(id, e.kind(), e);
    }
    match bus.poll(net_sdk::PollRequest { limit, cursor }).await {
        Err(e) => error(id, e.kind(), e),
        Ok(page) => {
            let events: Vec<Value> = page.events.iter().map(event_json).collect();
            let answer = reply(id, json!({ "events": events, "next": page.next_id, "has_more": page.has_more }));
            if answer.len() > MAX_MESSAGE_SIZE {
                return error(id, "too_large", format!("{} events do not fit one message: ask for fewer (--limit)", events.len()));
            }
            answer
        }
    }
}

/// The node's statistics as the `stats` reply carries them.
pub fn stats(bus: &Net, mesh: &Mesh) -> Value {
    let s = bus.stats();
    let m = mesh.stats();
    json!({
        "bus": {
            "events_ingested": s.events_ingested,
            "events_dropped": s.events_dropped,
            "batches_dispatched": s.batches_dispatched,
            "shard_depths": s.shard_depths,
        },
        "mesh": {
            "datagrams_received": m.datagrams_received,
            "datagrams_sent": m.datagrams_sent,
            "handshakes_completed": m.handshakes_completed,
            "handshakes_failed": m.handshakes_failed,
            "sessions": m.sessions,
            "tampered": m.tampered,
            "replayed": m.replayed,
        },
        "prometheus": net_sdk::metrics::prometheus_text(Some(bus), Some(mesh)),
    })
}

/// Send each live event to the tailing client until it goes away.
async fn forward(mesh: Mesh, stream: MeshStream, mut events: net_sdk::EventStream, id: u64) {
    use futures::StreamExt;
    while let Some(Ok(e)) = events.next().await {
        let m = reply(id, json!({ "event": event_json(&e) }));
        if mesh.send_blocking(&stream, &[m]).await.is_err() {
            return;
        }
    }
}

/// Client side: send a request and wait for its reply (skipping tail events).
pub async fn call(mesh: &Mesh, stream: &MeshStream, id: u64, op: &str, fields: Value, timeout: std::time::Duration) -> Result<Value> {
    mesh.send_blocking(stream, &[request(id, op, fields)]).await.map_err(|e| Fail::sdk(&format!("sending {op}"), e))?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let m = mesh.recv_timeout(stream, left).await.map_err(|e| Fail::sdk(&format!("waiting for the {op} reply"), e))?;
        let v = parse(&m).map_err(|why| Fail::failed("bad_reply", format!("the node answered {op} with {why}")))?;
        if v.get("id").and_then(Value::as_u64) != Some(id) || v.get("event").is_some() {
            continue;
        }
        return ok(v, op);
    }
}

/// A reply's body, or its error as a failure.
pub fn ok(v: Value, op: &str) -> Result<Value> {
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(v);
    }
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("unknown");
    let message = v.get("message").and_then(Value::as_str).unwrap_or("no message");
    Err(Fail::failed(kind, format!("the node refused {op}: {message} ({kind})")))
}

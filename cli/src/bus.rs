//! `net bus emit | poll | tail` and `net stats`: clients of a running
//! `net node run`, reached over the mesh (the node must list our node id
//! in `mesh.accept`).

use clap::{Args, Subcommand};
use futures::FutureExt;
use net_sdk::mesh::{Mesh, MeshStream};
use net_sdk::SdkError;
use serde_json::{json, Value};

use crate::control;
use crate::fail::{Fail, Result};
use crate::link::{self, Local, Peer, CONTROL_STREAM};
use crate::out::Out;

/// How to reach the node.
#[derive(Args, Clone)]
pub struct NodeArgs {
    #[command(flatten)]
    pub local: Local,
    #[command(flatten)]
    pub peer: Peer,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Emit events (JSON texts: the arguments, or stdin's lines) into the node's bus.
    Emit {
        #[command(flatten)]
        node: NodeArgs,
        /// The events; none reads one per line from stdin.
        events: Vec<String>,
    },
    /// Read a page of the node's retained events.
    Poll {
        #[command(flatten)]
        node: NodeArgs,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Resume where a previous poll stopped (its `next` cursor).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Follow the node's events live until interrupted.
    Tail {
        #[command(flatten)]
        node: NodeArgs,
    },
}

/// A session with the node and its control stream.
async fn attach(node: &NodeArgs, out: Out) -> Result<(Mesh, MeshStream)> {
    let (mesh, _) = node.local.build().await?;
    let peer = node.peer.establish(&mesh, &node.local, out).await?;
    let stream = link::open(&mesh, peer, CONTROL_STREAM)?;
    Ok((mesh, stream))
}

pub async fn run(cmd: Cmd, out: Out) -> Result<()> {
    match cmd {
        Cmd::Emit { node, events } => {
            let events = if events.is_empty() { stdin_lines()? } else { events };
            for (i, e) in events.iter().enumerate() {
                serde_json::from_str::<Value>(e).map_err(|err| Fail::input(&format!("EVENT {}", i + 1), format!("not JSON ({err})")))?;
            }
            let (mesh, stream) = attach(&node, out).await?;
            let mut accepted = 0;
            for chunk in events.chunks(256) {
                let _spin = out.waiting("emitting");
                let v = control::call(&mesh, &stream, 1, "emit", json!({ "events": chunk }), node.local.timeout()).await?;
                accepted += v.get("accepted").and_then(Value::as_u64).unwrap_or(0);
            }
            let _ = mesh.shutdown().await;
            out.emit(|| format!("emitted {accepted} events"), || json!({ "event": "emitted", "accepted": accepted }));
            Ok(())
        }
        Cmd::Poll { node, limit, cursor } => {
            let (mesh, stream) = attach(&node, out).await?;
            let v = {
                let _spin = out.waiting("polling");
                control::call(&mesh, &stream, 1, "poll", json!({ "limit": limit, "cursor": cursor }), node.local.timeout()).await?
            };
            let _ = mesh.shutdown().await;
            let events = v.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
            for e in &events {
                out.emit(|| format!("{}  {}", str_of(e, "id"), str_of(e, "raw")), || e.clone());
            }
            let next = str_of(&v, "next");
            let more = v.get("has_more").and_then(Value::as_bool).unwrap_or(false);
            out.emit(
                || format!("{} events; next cursor {next}{}", events.len(), if more { " (more waiting)" } else { "" }),
                || json!({ "event": "page", "count": events.len(), "next": next, "has_more": more }),
            );
            Ok(())
        }
        Cmd::Tail { node } => {
            let (mesh, stream) = attach(&node, out).await?;
            control::call(&mesh, &stream, 1, "tail", json!({}), node.local.timeout()).await?;
            out.emit(|| "following; interrupt to stop".to_owned(), || json!({ "event": "following" }));
            let follow = async {
                loop {
                    match mesh.recv(&stream).await {
                        Ok(m) => {
                            let v = control::parse(&m).map_err(|why| Fail::failed("bad_reply", format!("the node sent {why}")))?;
                            if let Some(e) = v.get("event") {
                                out.emit(|| str_of(e, "raw"), || e.clone());
                            }
                        }
                        Err(SdkError::NotConnected) => return Err(Fail::failed("not_connected", "the node went away")),
                        Err(e) => return Err(Fail::sdk("following", e)),
                    }
                }
            };
            let result = tokio::select! {
                r = follow => r,
                _ = link::interrupted().fuse() => Ok(()),
            };
            let _ = mesh.shutdown().await;
            result
        }
    }
}

/// `net stats`: the node's counters (or its Prometheus text).
pub async fn stats(node: NodeArgs, prometheus: bool, out: Out) -> Result<()> {
    let (mesh, stream) = attach(&node, out).await?;
    let v = control::call(&mesh, &stream, 1, "stats", json!({}), node.local.timeout()).await?;
    let _ = mesh.shutdown().await;
    if prometheus {
        print!("{}", str_of(&v, "prometheus"));
        return Ok(());
    }
    let (bus, m) = (&v["bus"], &v["mesh"]);
    out.emit(
        || {
            let n = |o: &Value, k: &str| o.get(k).and_then(Value::as_u64).unwrap_or(0);
            format!(
                "bus:  {} ingested, {} dropped, {} batches, shard depths {}\nmesh: {} sessions, {} handshakes ({} failed), {} datagrams in, {} out, {} tampered, {} replayed",
                n(bus, "events_ingested"),
                n(bus, "events_dropped"),
                n(bus, "batches_dispatched"),
                bus.get("shard_depths").map(Value::to_string).unwrap_or_default(),
                n(m, "sessions"),
                n(m, "handshakes_completed"),
                n(m, "handshakes_failed"),
                n(m, "datagrams_received"),
                n(m, "datagrams_sent"),
                n(m, "tampered"),
                n(m, "replayed"),
            )
        },
        || json!({ "bus": bus, "mesh": m }),
    );
    Ok(())
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn stdin_lines() -> Result<Vec<String>> {
    use std::io::BufRead;
    let lines = std::io::stdin().lock().lines().collect::<std::io::Result<Vec<_>>>().map_err(|e| Fail::input("EVENTS (stdin)", e))?;
    Ok(lines.into_iter().filter(|l| !l.trim().is_empty()).collect())
}

//! `net mesh listen | connect | send | recv | ping`: the encrypted mesh by
//! hand. Two processes meet when one dials (`--connect ADDR --peer-key K
//! --peer-node N`) and the other accepts that node id (`--accept N`).

use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Subcommand;
use net_sdk::mesh::{Mesh, MeshStream};
use net_sdk::SdkError;
use serde_json::json;

use crate::fail::{Fail, Result};
use crate::link::{self, Local, Peer, PING_STREAM};
use crate::out::{self, Out};

#[derive(Subcommand)]
pub enum Cmd {
    /// Accept the named nodes, print what they send on --stream and answer
    /// pings, until interrupted.
    Listen {
        #[command(flatten)]
        local: Local,
        /// A node id allowed to connect (repeat for several).
        #[arg(long, required = true)]
        accept: Vec<String>,
        /// The stream whose messages are printed.
        #[arg(long, default_value_t = 1)]
        stream: u64,
    },
    /// Handshake with a peer, report it, leave.
    Connect {
        #[command(flatten)]
        local: Local,
        #[command(flatten)]
        peer: Peer,
    },
    /// Send messages (the arguments, or stdin's lines) reliably, wait until
    /// the peer has acknowledged them all, leave.
    Send {
        #[command(flatten)]
        local: Local,
        #[command(flatten)]
        peer: Peer,
        /// The stream to send on.
        #[arg(long, default_value_t = 1)]
        stream: u64,
        /// The messages; none reads lines from stdin.
        messages: Vec<String>,
    },
    /// Print messages received on --stream: --count of them, or until the
    /// peer leaves or the command is interrupted.
    Recv {
        #[command(flatten)]
        local: Local,
        #[command(flatten)]
        peer: Peer,
        /// The stream to read.
        #[arg(long, default_value_t = 1)]
        stream: u64,
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<u64>,
    },
    /// Measure the round trip to a peer (a `net mesh listen` or `net node run`).
    Ping {
        #[command(flatten)]
        local: Local,
        #[command(flatten)]
        peer: Peer,
        /// How many pings.
        #[arg(long, default_value_t = 3)]
        count: u32,
        /// Milliseconds between pings.
        #[arg(long, default_value_t = 200)]
        interval: u64,
    },
}

pub async fn run(cmd: Cmd, out: Out) -> Result<()> {
    match cmd {
        Cmd::Listen { local, accept, stream } => listen(local, accept, stream, out).await,
        Cmd::Connect { local, peer } => {
            let (mesh, _) = local.build().await?;
            let started = Instant::now();
            let node = peer.establish(&mesh, &local, out).await?;
            let took = started.elapsed();
            let addr = mesh.peers().into_iter().find(|p| p.node_id == node).map(|p| p.addr.to_string());
            out.emit(
                || format!("session with node {} at {} ({:.3} ms)", out::node_id(node), addr.clone().unwrap_or_default(), ms(took)),
                || json!({ "event": "connected", "node_id": out::node_id(node), "addr": addr, "handshake_ms": ms(took) }),
            );
            let _ = mesh.shutdown().await;
            Ok(())
        }
        Cmd::Send { local, peer, stream, messages } => {
            let messages = if messages.is_empty() { stdin_lines()? } else { messages };
            let (mesh, _) = local.build().await?;
            let node = peer.establish(&mesh, &local, out).await?;
            let s = link::open(&mesh, node, stream)?;
            let batch: Vec<Bytes> = messages.into_iter().map(Bytes::from).collect();
            {
                let _spin = out.waiting("sending");
                for chunk in batch.chunks(64) {
                    mesh.send_blocking(&s, chunk).await.map_err(|e| Fail::sdk("sending", e))?;
                }
                link::drained(&mesh, &s, local.timeout()).await?;
            }
            out.emit(
                || format!("sent {} messages to node {} on stream {stream}", batch.len(), out::node_id(node)),
                || json!({ "event": "sent", "messages": batch.len(), "node_id": out::node_id(node), "stream": stream }),
            );
            let _ = mesh.shutdown().await;
            Ok(())
        }
        Cmd::Recv { local, peer, stream, count } => {
            let (mesh, _) = local.build().await?;
            let node = peer.establish(&mesh, &local, out).await?;
            let s = link::open(&mesh, node, stream)?;
            let mut got = 0u64;
            let result = tokio::select! {
                r = async {
                    while count.is_none_or(|n| got < n) {
                        match mesh.recv(&s).await {
                            Ok(m) => {
                                got += 1;
                                print_message(out, node, stream, &m);
                            }
                            Err(SdkError::NotConnected) => {
                                return match count {
                                    Some(n) => Err(Fail::failed("not_connected", format!("the peer left after {got} of {n} messages"))),
                                    None => Ok(()),
                                };
                            }
                            Err(e) => return Err(Fail::sdk("receiving", e)),
                        }
                    }
                    Ok(())
                } => r,
                _ = link::interrupted() => Ok(()),
            };
            let _ = mesh.shutdown().await;
            result
        }
        Cmd::Ping { local, peer, count, interval } => ping(local, peer, count, interval, out).await,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stdin_lines() -> Result<Vec<String>> {
    use std::io::BufRead;
    std::io::stdin().lock().lines().collect::<std::io::Result<Vec<_>>>().map_err(|e| Fail::input("MESSAGES (stdin)", e))
}

fn print_message(out: Out, peer: u64, stream: u64, m: &[u8]) {
    let text = String::from_utf8_lossy(m);
    out.emit(
        || text.to_string(),
        || json!({ "event": "message", "node_id": out::node_id(peer), "stream": stream, "data": text }),
    );
}

async fn listen(local: Local, accept: Vec<String>, stream: u64, out: Out) -> Result<()> {
    let ids: Vec<u64> = accept.iter().map(|a| link::parse_node_id(a, "--accept")).collect::<Result<_>>()?;
    let (mesh, _) = local.build().await?;
    link::announce(&mesh, out);
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|peer| {
            let mesh = mesh.clone();
            tokio::spawn(async move {
                loop {
                    // Wait as long as it takes for this peer to dial.
                    match mesh.accept_with_timeout(peer, Duration::from_secs(24 * 3600)).await {
                        Ok(addr) => {
                            out.emit(
                                || format!("node {} connected from {addr}", out::node_id(peer)),
                                || json!({ "event": "connected", "node_id": out::node_id(peer), "addr": addr.to_string() }),
                            );
                            serve(&mesh, peer, stream, out).await;
                            out.emit(
                                || format!("node {} left", out::node_id(peer)),
                                || json!({ "event": "left", "node_id": out::node_id(peer) }),
                            );
                        }
                        Err(SdkError::Timeout(_)) => {}
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    link::interrupted().await;
    for t in &tasks {
        t.abort();
    }
    mesh.shutdown().await.map_err(|e| Fail::sdk("shutting down", e))
}

/// Print `peer`'s messages on `stream` and echo its pings until its
/// session ends.
async fn serve(mesh: &Mesh, peer: u64, stream: u64, out: Out) {
    let (Ok(data), Ok(pings)) = (link::open(mesh, peer, stream), link::open(mesh, peer, PING_STREAM)) else { return };
    let printer = async {
        while let Ok(m) = mesh.recv(&data).await {
            print_message(out, peer, stream, &m);
        }
    };
    tokio::join!(printer, echo(mesh, &pings));
}

/// Send back every message received on `pings` until the session ends.
pub async fn echo(mesh: &Mesh, pings: &MeshStream) {
    while let Ok(m) = mesh.recv(pings).await {
        if mesh.send_blocking(pings, &[m]).await.is_err() {
            return;
        }
    }
}

async fn ping(local: Local, peer: Peer, count: u32, interval: u64, out: Out) -> Result<()> {
    let (mesh, _) = local.build().await?;
    let node = peer.establish(&mesh, &local, out).await?;
    let s = link::open(&mesh, node, PING_STREAM)?;
    let mut rtts = Vec::with_capacity(count as usize);
    for seq in 0..count {
        if seq > 0 {
            tokio::time::sleep(Duration::from_millis(interval)).await;
        }
        let payload = Bytes::from(format!("ping {seq}"));
        let started = Instant::now();
        let reply = {
            let _spin = out.waiting(&format!("ping {seq}"));
            mesh.send_blocking(&s, std::slice::from_ref(&payload)).await.map_err(|e| Fail::sdk("sending a ping", e))?;
            mesh.recv_timeout(&s, local.timeout()).await.map_err(|e| Fail::sdk(&format!("waiting for pong {seq}"), e))?
        };
        let rtt = started.elapsed();
        if reply != payload {
            return Err(Fail::failed("bad_reply", format!("ping {seq}: the peer answered something else")));
        }
        rtts.push(ms(rtt));
        out.emit(
            || format!("reply from {}: seq={seq} time={:.3} ms", out::node_id(node), ms(rtt)),
            || json!({ "event": "pong", "node_id": out::node_id(node), "seq": seq, "rtt_ms": ms(rtt) }),
        );
    }
    let _ = mesh.shutdown().await;
    let min = rtts.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rtts.iter().copied().fold(0.0, f64::max);
    let avg = rtts.iter().sum::<f64>() / rtts.len().max(1) as f64;
    out.emit(
        || format!("{count} pings, rtt min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms"),
        || json!({ "event": "summary", "count": count, "min_ms": min, "avg_ms": avg, "max_ms": max }),
    );
    Ok(())
}

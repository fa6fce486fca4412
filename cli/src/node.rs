//! `net node run`: a bus and a mesh node until SIGINT or SIGTERM. Nodes
//! named in `mesh.accept` may connect; each session gets the control
//! protocol (`net bus …`, `net stats`) and ping echo. With `--metrics` (or
//! `[metrics] listen`) it serves Prometheus text on `/metrics`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use net_sdk::mesh::{Mesh, MeshBuilder};
use net_sdk::{Net, SdkError};
use serde_json::json;

use crate::config::NodeConfig;
use crate::fail::{Fail, Result};
use crate::link::{self, CONTROL_STREAM, PING_STREAM};
use crate::out::{self, Out};

#[derive(Subcommand)]
pub enum Cmd {
    /// Run a bus and a mesh node until interrupted (SIGINT/SIGTERM stop it cleanly).
    Run {
        /// The node's configuration (TOML).
        #[arg(long, short)]
        config: PathBuf,
        /// Serve Prometheus metrics on this address at /metrics (overrides [metrics] listen).
        #[arg(long)]
        metrics: Option<String>,
    },
}

pub async fn run(cmd: Cmd, out: Out) -> Result<()> {
    let Cmd::Run { config, metrics } = cmd;
    let cfg = NodeConfig::load(&config)?;
    let metrics_addr: Option<SocketAddr> = match metrics {
        Some(m) => Some(m.parse().map_err(|e| Fail::input("--metrics", e))?),
        None => cfg.metrics,
    };
    let identity = crate::identity::load(&cfg.identity, &format!("identity (config file {})", config.display()))?;

    let mesh = MeshBuilder::new(cfg.bind, &cfg.psk)
        .map_err(|e| Fail::input("mesh.bind", e))?
        .identity(identity)
        .build()
        .await
        .map_err(|e| Fail::sdk(&format!("binding {}", cfg.bind), e))?;
    mesh.start().map_err(|e| Fail::sdk("starting the mesh", e))?;
    let mut builder = Net::builder();
    if let Some(n) = cfg.bus.shards {
        builder = builder.shards(n);
    }
    if let Some(n) = cfg.bus.ring_capacity {
        builder = builder.ring_capacity(n);
    }
    if let Some(n) = cfg.bus.retention {
        builder = builder.retention(n);
    }
    let bus = builder.memory().build().await.map_err(|e| Fail::input(&format!("config file {}: bus", config.display()), e))?;

    let metrics_listener = match metrics_addr {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|e| Fail::io(&format!("--metrics {addr}"), e))?),
        None => None,
    };
    link::announce(&mesh, out);
    let mut tasks = Vec::new();
    if let Some(listener) = metrics_listener {
        let addr = listener.local_addr().map_err(|e| Fail::io("--metrics", e))?.to_string();
        out.emit(
            || format!("metrics on http://{addr}/metrics"),
            || json!({ "event": "metrics", "addr": addr, "url": format!("http://{addr}/metrics") }),
        );
        tasks.push(tokio::spawn(crate::http::serve(listener, bus.clone(), mesh.clone())));
    }
    for peer in cfg.accept {
        tasks.push(tokio::spawn(accept_loop(mesh.clone(), bus.clone(), peer, out)));
    }
    for p in cfg.peers {
        let (mesh, bus) = (mesh.clone(), bus.clone());
        tasks.push(tokio::spawn(async move {
            match mesh.connect(p.addr, p.key, p.node_id).await {
                Ok(()) => {
                    connected(out, p.node_id, &p.addr.to_string());
                    session(&mesh, &bus, p.node_id).await;
                }
                Err(e) => out.emit(
                    || format!("dialing node {} at {} failed: {e}", out::node_id(p.node_id), p.addr),
                    || json!({ "event": "dial_failed", "node_id": out::node_id(p.node_id), "kind": e.kind(), "message": e.to_string() }),
                ),
            }
        }));
    }

    link::interrupted().await;
    out.emit(|| "stopping".to_owned(), || json!({ "event": "stopping" }));
    for t in &tasks {
        t.abort();
    }
    let bus_result = bus.shutdown().await;
    let mesh_result = mesh.shutdown().await;
    bus_result.map_err(|e| Fail::sdk("stopping the bus", e))?;
    mesh_result.map_err(|e| Fail::sdk("stopping the mesh", e))?;
    let s = bus.stats();
    out.emit(
        || format!("stopped ({} events ingested)", s.events_ingested),
        || json!({ "event": "stopped", "events_ingested": s.events_ingested }),
    );
    Ok(())
}

fn connected(out: Out, peer: u64, addr: &str) {
    out.emit(
        || format!("node {} connected from {addr}", out::node_id(peer)),
        || json!({ "event": "connected", "node_id": out::node_id(peer), "addr": addr }),
    );
}

/// Keep accepting `peer`: serve each of its sessions, then wait for the next.
async fn accept_loop(mesh: Mesh, bus: Net, peer: u64, out: Out) {
    loop {
        match mesh.accept_with_timeout(peer, Duration::from_secs(24 * 3600)).await {
            Ok(addr) => {
                connected(out, peer, &addr.to_string());
                session(&mesh, &bus, peer).await;
                out.emit(
                    || format!("node {} left", out::node_id(peer)),
                    || json!({ "event": "left", "node_id": out::node_id(peer) }),
                );
            }
            Err(SdkError::Timeout(_)) => {}
            Err(_) => return,
        }
    }
}

/// One session with `peer`: the control protocol and ping echo, until it ends.
async fn session(mesh: &Mesh, bus: &Net, peer: u64) {
    let (Ok(control), Ok(pings)) = (link::open(mesh, peer, CONTROL_STREAM), link::open(mesh, peer, PING_STREAM)) else { return };
    tokio::join!(crate::control::serve(mesh, bus, &control), crate::mesh::echo(mesh, &pings));
}

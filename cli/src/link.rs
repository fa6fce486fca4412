//! What every mesh-using command shares: who we are on the mesh (identity,
//! PSK, bind address) and how we reach one peer (dial it, or wait for it).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use net_sdk::mesh::{Mesh, MeshBuilder, MeshStream, Reliability, StreamConfig};
use net_sdk::Identity;
use serde_json::json;

use crate::fail::{Fail, Result};
use crate::out::{self, Out};

/// The stream `net mesh ping` sends on and every listener echoes.
pub const PING_STREAM: u64 = 0x4E45_5450_494E_4700;
/// The stream the bus and stats commands talk to `net node run` on.
pub const CONTROL_STREAM: u64 = 0x4E45_5443_544C_0000;

/// This side of the mesh.
#[derive(Args, Clone)]
pub struct Local {
    /// Our seed file (`net identity new`).
    #[arg(long, short)]
    pub identity: PathBuf,
    /// The mesh pre-shared key, 64 hex digits.
    #[arg(long, conflicts_with = "psk_file", required_unless_present = "psk_file")]
    pub psk: Option<String>,
    /// A file holding the mesh pre-shared key (64 hex digits).
    #[arg(long)]
    pub psk_file: Option<PathBuf>,
    /// The local UDP address.
    #[arg(long, default_value = "0.0.0.0:0")]
    pub bind: String,
    /// Seconds to wait for a peer (handshake, accept, replies).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

/// The one peer a command talks to: dial it, or accept it.
#[derive(Args, Clone)]
pub struct Peer {
    /// Dial the peer at this UDP address (needs --peer-key and --peer-node)...
    #[arg(long, requires_all = ["peer_key", "peer_node"], conflicts_with = "accept", required_unless_present = "accept")]
    pub connect: Option<String>,
    /// The peer's mesh key (64 hex digits; `net identity show`).
    #[arg(long)]
    pub peer_key: Option<String>,
    /// The peer's node id (`net identity show`).
    #[arg(long)]
    pub peer_node: Option<String>,
    /// ...or wait for the node with this id to dial us.
    #[arg(long)]
    pub accept: Option<String>,
}

impl Local {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    /// Bind the mesh node (handshakes work from here on).
    pub async fn build(&self) -> Result<(Mesh, Identity)> {
        let identity = crate::identity::load(&self.identity, "--identity")?;
        let psk = match (&self.psk, &self.psk_file) {
            (Some(hex), _) => parse_psk(hex, "--psk")?,
            (None, Some(path)) => {
                let what = format!("--psk-file {}", path.display());
                let text = std::fs::read_to_string(path).map_err(|e| Fail::input(&what, e))?;
                parse_psk(&text, &what)?
            }
            (None, None) => return Err(Fail::input("--psk", "missing (or --psk-file)")),
        };
        let bind: SocketAddr = self.bind.parse().map_err(|e| Fail::input("--bind", e))?;
        let mesh = MeshBuilder::new(bind, &psk)
            .map_err(|e| Fail::input("--bind", e))?
            .identity(identity.clone())
            .handshake_timeout(self.timeout())
            .build()
            .await
            .map_err(|e| Fail::sdk(&format!("binding {bind}"), e))?;
        mesh.start().map_err(|e| Fail::sdk("starting the mesh", e))?;
        Ok((mesh, identity))
    }
}

/// Print where this node listens (the first line of every waiting command,
/// so a script can read the port of `--bind ...:0`).
pub fn announce(mesh: &Mesh, out: Out) {
    let addr = mesh.local_addr().to_string();
    let node = out::node_id(mesh.node_id());
    let key = hex::encode(mesh.public_key());
    out.emit(
        || format!("listening on {addr} as node {node} (mesh key {key})"),
        || json!({ "event": "listening", "addr": addr, "node_id": node, "mesh_key": key }),
    );
}

impl Peer {
    /// Reach the peer; returns its node id once the session is up.
    pub async fn establish(&self, mesh: &Mesh, local: &Local, out: Out) -> Result<u64> {
        let timeout = local.timeout();
        if let Some(addr) = &self.connect {
            let key = parse_key(self.peer_key.as_deref().unwrap_or_default(), "--peer-key")?;
            let node = parse_node_id(self.peer_node.as_deref().unwrap_or_default(), "--peer-node")?;
            let _spin = out.waiting(&format!("handshake with {addr}"));
            mesh.connect_with_timeout(addr.as_str(), key, node, timeout)
                .await
                .map_err(|e| Fail::sdk(&format!("connecting to {addr}"), e))?;
            Ok(node)
        } else {
            let node = parse_node_id(self.accept.as_deref().unwrap_or_default(), "--accept")?;
            announce(mesh, out);
            let _spin = out.waiting(&format!("waiting for node {}", out::node_id(node)));
            mesh.accept_with_timeout(node, timeout)
                .await
                .map_err(|e| Fail::sdk(&format!("waiting for node {}", out::node_id(node)), e))?;
            Ok(node)
        }
    }
}

/// A reliable stream with room for bursts.
pub fn reliable() -> StreamConfig {
    StreamConfig::new().with_reliability(Reliability::Reliable).with_window_bytes(256)
}

/// Open `stream` with `peer`.
pub fn open(mesh: &Mesh, peer: u64, stream: u64) -> Result<MeshStream> {
    mesh.open_stream(peer, stream, reliable()).map_err(|e| Fail::sdk("opening a stream", e))
}

/// Wait until everything sent on `stream` is acknowledged, up to `timeout`.
pub async fn drained(mesh: &Mesh, stream: &MeshStream, timeout: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match mesh.stream_stats(stream.peer(), stream.id()) {
            Some(s) if s.in_flight == 0 => return Ok(()),
            Some(_) => {}
            None => return Err(Fail::failed("not_connected", "the peer went away before acknowledging every message")),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Fail { code: crate::fail::TIMED_OUT, kind: "timeout".into(), message: "the peer did not acknowledge every message in time".into() });
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub fn parse_psk(text: &str, what: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.trim()).map_err(|e| Fail::input(what, format!("not hex ({e})")))?;
    bytes.try_into().map_err(|b: Vec<u8>| Fail::input(what, format!("{} bytes, the PSK is 32 (64 hex digits)", b.len())))
}

pub fn parse_key(text: &str, what: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.trim()).map_err(|e| Fail::input(what, format!("not hex ({e})")))?;
    bytes.try_into().map_err(|b: Vec<u8>| Fail::input(what, format!("{} bytes, a mesh key is 32 (64 hex digits)", b.len())))
}

/// A node id as `0x…` hex or decimal.
pub fn parse_node_id(text: &str, what: &str) -> Result<u64> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    parsed.map_err(|_| Fail::input(what, format!("'{t}' is not a node id (0x-prefixed hex or decimal)")))
}

static STOP: std::sync::OnceLock<tokio::sync::watch::Receiver<bool>> = std::sync::OnceLock::new();

/// Catch SIGINT and SIGTERM from now on (call first thing, inside the
/// runtime): a waiting command then stops cleanly instead of dying.
pub fn install_signal_handlers() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        let _ = tx.send(true);
        // Keep the sender, so waiters see `true` rather than a closed channel.
        std::future::pending::<()>().await;
        drop(tx);
    });
    let _ = STOP.set(rx);
    Ok(())
}

/// Resolves once SIGINT or SIGTERM has arrived (never, without handlers).
pub async fn interrupted() {
    let Some(rx) = STOP.get() else { return std::future::pending().await };
    let mut rx = rx.clone();
    if rx.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

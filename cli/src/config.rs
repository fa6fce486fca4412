//! `node.toml`, the configuration of `net node run`.
//!
//! ```toml
//! identity = "node.seed"             # seed file (relative to this file)
//!
//! [mesh]
//! bind = "0.0.0.0:9000"
//! psk = "<64 hex digits>"            # or psk_file = "mesh.psk"
//! accept = ["0x1234abcd5678ef90"]    # node ids allowed to connect (CLI users, peers)
//!
//! [[mesh.peers]]                     # nodes dialed at start
//! addr = "10.0.0.2:9000"
//! key = "<64 hex digits>"
//! node_id = "0x0fedcba987654321"
//!
//! [bus]
//! shards = 4                         # optional, as ring_capacity and retention
//!
//! [metrics]
//! listen = "127.0.0.1:9464"          # serve /metrics (also --metrics)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::fail::{Fail, Result};
use crate::link;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    identity: PathBuf,
    mesh: MeshFile,
    #[serde(default)]
    bus: Bus,
    metrics: Option<MetricsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeshFile {
    bind: String,
    psk: Option<String>,
    psk_file: Option<PathBuf>,
    #[serde(default)]
    accept: Vec<String>,
    #[serde(default)]
    peers: Vec<PeerFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeerFile {
    addr: String,
    key: String,
    node_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsFile {
    listen: String,
}

/// The bus settings (defaults: the bus's own).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Bus {
    pub shards: Option<u16>,
    pub ring_capacity: Option<usize>,
    pub retention: Option<usize>,
}

/// A node dialed at start.
pub struct DialPeer {
    pub addr: SocketAddr,
    pub key: [u8; 32],
    pub node_id: u64,
}

/// A checked configuration.
pub struct NodeConfig {
    pub identity: PathBuf,
    pub bind: SocketAddr,
    pub psk: [u8; 32],
    pub accept: Vec<u64>,
    pub peers: Vec<DialPeer>,
    pub bus: Bus,
    pub metrics: Option<SocketAddr>,
}

impl NodeConfig {
    /// Read and check `path`; every error names the file (and the field).
    pub fn load(path: &Path) -> Result<NodeConfig> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Fail::input(&format!("--config {name}"), e))?;
        let file: File = toml::from_str(&text).map_err(|e| Fail::input(&format!("config file {name}"), e.to_string().trim_end()))?;
        let at = |field: &str| format!("config file {name}: {field}");
        let dir = path.parent().unwrap_or(Path::new("."));
        let psk = match (&file.mesh.psk, &file.mesh.psk_file) {
            (Some(hex), None) => link::parse_psk(hex, &at("mesh.psk"))?,
            (None, Some(p)) => {
                let p = dir.join(p);
                let text = std::fs::read_to_string(&p).map_err(|e| Fail::input(&at(&format!("mesh.psk_file {}", p.display())), e))?;
                link::parse_psk(&text, &at(&format!("mesh.psk_file {}", p.display())))?
            }
            _ => return Err(Fail::input(&at("mesh"), "give exactly one of psk and psk_file")),
        };
        let accept = file
            .mesh
            .accept
            .iter()
            .enumerate()
            .map(|(i, a)| link::parse_node_id(a, &at(&format!("mesh.accept[{i}]"))))
            .collect::<Result<_>>()?;
        let peers = file
            .mesh
            .peers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(DialPeer {
                    addr: p.addr.parse().map_err(|e| Fail::input(&at(&format!("mesh.peers[{i}].addr")), e))?,
                    key: link::parse_key(&p.key, &at(&format!("mesh.peers[{i}].key")))?,
                    node_id: link::parse_node_id(&p.node_id, &at(&format!("mesh.peers[{i}].node_id")))?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(NodeConfig {
            identity: dir.join(&file.identity),
            bind: file.mesh.bind.parse().map_err(|e| Fail::input(&at("mesh.bind"), e))?,
            psk,
            accept,
            peers,
            bus: file.bus,
            metrics: file
                .metrics
                .map(|m| m.listen.parse().map_err(|e| Fail::input(&at("metrics.listen"), e)))
                .transpose()?,
        })
    }
}

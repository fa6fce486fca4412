//! `net identity new | show`: the 32-byte seed an identity (and a mesh
//! node's static key) is derived from, kept in a file as 64 hex digits.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use net_sdk::Identity;
use serde_json::json;

use crate::fail::{Fail, Result};
use crate::out::{self, Out};

#[derive(Subcommand)]
pub enum Cmd {
    /// Generate an identity and write its seed to a new file (mode 0600).
    New {
        /// The seed file to create.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Show the public parts of an identity: entity id, node id, mesh key.
    Show {
        /// The seed file.
        #[arg(long, short)]
        identity: PathBuf,
    },
}

pub fn run(cmd: Cmd, out: Out) -> Result<()> {
    match cmd {
        Cmd::New { out: path, force } => {
            if path.exists() && !force {
                return Err(Fail::input(
                    &format!("--out {}", path.display()),
                    "the file exists (pass --force to replace it)",
                ));
            }
            let id = Identity::generate();
            write_seed(&path, &id)?;
            show(&id, Some(&path), out);
            Ok(())
        }
        Cmd::Show { identity } => {
            let id = load(&identity, "--identity")?;
            show(&id, Some(&identity), out);
            Ok(())
        }
    }
}

fn show(id: &Identity, path: Option<&Path>, out: Out) {
    let key = hex::encode(id.mesh_public_key());
    let entity = id.entity_id().to_string();
    let node = out::node_id(id.node_id());
    out.emit(
        || {
            let file = path.map(|p| format!("file:      {}\n", p.display())).unwrap_or_default();
            format!("{file}entity id: {entity}\nnode id:   {node}\nmesh key:  {key}")
        },
        || json!({ "file": path.map(|p| p.display().to_string()), "entity_id": entity, "node_id": node, "mesh_key": key }),
    );
}

/// Write `id`'s seed to `path` atomically: a temporary file beside it,
/// created 0600, synced, then renamed over `path`.
fn write_seed(path: &Path, id: &Identity) -> Result<()> {
    let what = format!("--out {}", path.display());
    let name = path.file_name().ok_or_else(|| Fail::input(&what, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        let mut text = hex::encode(id.to_bytes());
        text.push('\n');
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is synced.
        File::open(&dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Fail::io(&format!("writing {}", path.display()), e)
    })
}

/// Read the identity whose seed file is `path`; `flag` names where the
/// path came from in an error.
pub fn load(path: &Path, flag: &str) -> Result<Identity> {
    let what = format!("{flag} {}", path.display());
    let text = fs::read_to_string(path).map_err(|e| Fail::input(&what, e))?;
    let seed = hex::decode(text.trim()).map_err(|e| Fail::input(&what, format!("not a hex seed ({e})")))?;
    Identity::from_seed_slice(&seed).map_err(|e| Fail::input(&what, e))
}

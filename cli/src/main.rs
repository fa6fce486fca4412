//! `net`: the command-line face of Net.
//!
//! Human output by default, one JSON object per line with `--json`.
//! Exit codes: 0 success (or a clean stop on SIGINT/SIGTERM), 1 refused or
//! failed, 2 bad input (flag, argument, file, config), 3 timed out waiting
//! on the network.

mod bus;
mod config;
mod control;
mod fail;
mod http;
mod identity;
mod link;
mod mesh;
mod node;
mod out;
mod token;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::fail::Fail;
use crate::out::Out;

/// Net: identities, permission tokens, the event bus and the encrypted mesh.
#[derive(Parser)]
#[command(name = "net", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// Print one JSON object per line instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

const EXIT_CODES: &str = "Exit codes: 0 success (or a clean stop on SIGINT/SIGTERM), 1 refused or failed, \
2 bad input (flag, argument, file, config), 3 timed out waiting on the network.";

#[derive(Subcommand)]
enum Cmd {
    /// Create or show an identity (an ed25519 seed in a file).
    #[command(subcommand)]
    Identity(identity::Cmd),
    /// Issue, verify or inspect permission tokens.
    #[command(subcommand)]
    Token(token::Cmd),
    /// Emit, poll or follow the events of a running node.
    #[command(subcommand)]
    Bus(bus::Cmd),
    /// Talk to peers over the encrypted mesh.
    #[command(subcommand)]
    Mesh(mesh::Cmd),
    /// Run a node: a bus and a mesh node, with Prometheus metrics.
    #[command(subcommand)]
    Node(node::Cmd),
    /// Show a running node's statistics.
    Stats {
        #[command(flatten)]
        node: bus::NodeArgs,
        /// Print the Prometheus text (what /metrics serves) instead.
        #[arg(long)]
        prometheus: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    let result = match cli.cmd {
        Cmd::Identity(c) => identity::run(c, out),
        Cmd::Token(c) => token::run(c, out),
        cmd => match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => rt.block_on(async move {
                link::install_signal_handlers().map_err(|e| Fail::io("installing signal handlers", e))?;
                match cmd {
                    Cmd::Bus(c) => bus::run(c, out).await,
                    Cmd::Mesh(c) => mesh::run(c, out).await,
                    Cmd::Node(c) => node::run(c, out).await,
                    Cmd::Stats { node, prometheus } => bus::stats(node, prometheus, out).await,
                    Cmd::Identity(_) | Cmd::Token(_) => unreachable!("handled without a runtime"),
                }
            }),
            Err(e) => Err(Fail::io("starting the runtime", e)),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if cli.json {
                eprintln!("{}", json!({ "error": f.kind, "message": f.message, "exit": f.code }));
            } else {
                eprintln!("net: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

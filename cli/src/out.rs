//! Output: human lines by default, one JSON object per line with `--json`,
//! and a spinner on stderr while waiting on the network (only when stderr
//! is a terminal and output is for people).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// Where a command writes its results.
#[derive(Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// One result: `human` for people, `json` for scripts. Flushed at once
    /// so a reader of a pipe sees it while the command keeps running.
    pub fn emit(&self, human: impl FnOnce() -> String, json: impl FnOnce() -> Value) {
        let mut stdout = std::io::stdout().lock();
        let line = if self.json { json().to_string() } else { human() };
        // A closed pipe (`net bus tail | head`) is not worth a panic.
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }

    /// A spinner saying `what` until the returned guard is dropped.
    pub fn waiting(&self, what: &str) -> Waiting {
        if self.json || !std::io::stderr().is_terminal() {
            return Waiting(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Waiting(Some(bar))
    }
}

/// Clears its spinner when dropped.
pub struct Waiting(Option<ProgressBar>);

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// A node id as people and configs write it.
pub fn node_id(id: u64) -> String {
    format!("{id:#018x}")
}

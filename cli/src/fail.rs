//! Exit codes and the one error type every command returns.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (also: interrupted by SIGINT/SIGTERM after a clean stop) |
//! | 1 | refused or failed: a token that does not verify, a handshake or send that failed, a node that answered with an error |
//! | 2 | bad input: a flag, argument, file or config that cannot be used (clap's own usage errors are 2 as well) |
//! | 3 | timed out waiting on the network |

use std::fmt;

use net_sdk::SdkError;

/// Exit code: the command failed or the answer was "no".
pub const FAILED: u8 = 1;
/// Exit code: the input (flag, argument, file) is unusable.
pub const BAD_INPUT: u8 = 2;
/// Exit code: the network did not answer in time.
pub const TIMED_OUT: u8 = 3;

/// Why a command stopped: the exit code, a message for people and a
/// stable kind for scripts (`--json`).
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    pub kind: String,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Fail>;

impl Fail {
    /// Bad input; `what` names the flag, argument or file at fault.
    pub fn input(what: &str, why: impl fmt::Display) -> Fail {
        Fail { code: BAD_INPUT, kind: "bad_input".into(), message: format!("{what}: {why}") }
    }

    /// A refusal or failure of kind `kind`.
    pub fn failed(kind: &str, message: impl fmt::Display) -> Fail {
        Fail { code: FAILED, kind: kind.into(), message: message.to_string() }
    }

    /// A core error met while doing `doing`.
    pub fn sdk(doing: &str, e: SdkError) -> Fail {
        let code = if matches!(e, SdkError::Timeout(_)) { TIMED_OUT } else { FAILED };
        Fail { code, kind: e.kind().into(), message: format!("{doing}: {e}") }
    }

    /// A local I/O error met while doing `doing`.
    pub fn io(doing: &str, e: std::io::Error) -> Fail {
        Fail { code: FAILED, kind: "io".into(), message: format!("{doing}: {e}") }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

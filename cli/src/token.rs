//! `net token issue | verify | inspect`: permission tokens in their
//! 161-byte wire form, written as 322 hex digits.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Subcommand;
use net_sdk::{ChannelName, EntityId, PermissionToken, TokenError, TokenScope};
use serde_json::json;

use crate::fail::{Fail, Result};
use crate::out::Out;

#[derive(Subcommand)]
pub enum Cmd {
    /// Sign a grant for a subject on a channel; prints the token in hex.
    Issue {
        /// The issuer's seed file.
        #[arg(long, short)]
        identity: PathBuf,
        /// The subject's entity id (64 hex digits; `net identity show`).
        #[arg(long)]
        subject: String,
        /// Rights granted: publish, subscribe, delegate, admin (comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        scope: Vec<String>,
        /// The channel the rights apply to.
        #[arg(long)]
        channel: String,
        /// Validity from now, in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
        /// How many further hops the subject may delegate (0 forbids it).
        #[arg(long, default_value_t = 0)]
        delegation_depth: u8,
    },
    /// Check a token's signature and validity window (exit 1 if refused).
    Verify {
        /// The token in hex, or `-` to read it from stdin.
        token: String,
        /// Also require that the token grants these rights...
        #[arg(long, value_delimiter = ',', requires = "channel")]
        scope: Vec<String>,
        /// ...on this channel.
        #[arg(long)]
        channel: Option<String>,
    },
    /// Decode a token's fields for a person (does not refuse bad ones).
    Inspect {
        /// The token in hex, or `-` to read it from stdin.
        token: String,
    },
}

pub fn run(cmd: Cmd, out: Out) -> Result<()> {
    match cmd {
        Cmd::Issue { identity, subject, scope, channel, ttl, delegation_depth } => {
            let issuer = crate::identity::load(&identity, "--identity")?;
            let subject = EntityId::from_hex(subject.trim()).map_err(|e| Fail::input("--subject", e))?;
            let scope = TokenScope::from_names(&scope).map_err(|e| Fail::input("--scope", e))?;
            let channel = ChannelName::new(&channel).map_err(|e| Fail::input("--channel", e))?;
            let token = issuer
                .try_issue_token(subject, scope, &channel, Duration::from_secs(ttl), delegation_depth)
                .map_err(|e| Fail::input("--ttl", e))?;
            let text = hex::encode(token.to_bytes());
            out.emit(|| text.clone(), || fields(&token, Some(&text)));
            Ok(())
        }
        Cmd::Verify { token, scope, channel } => {
            let token = parse(&token)?;
            token.verify().map_err(refused)?;
            if let Some(channel) = &channel {
                let name = ChannelName::new(channel).map_err(|e| Fail::input("--channel", e))?;
                let want = if scope.is_empty() {
                    TokenScope::empty()
                } else {
                    TokenScope::from_names(&scope).map_err(|e| Fail::input("--scope", e))?
                };
                if !token.grants(want, name.hash()) {
                    return Err(refused(TokenError::NotAuthorized));
                }
            }
            let left = token.not_after.saturating_sub(now());
            out.emit(
                || {
                    format!(
                        "valid: {} grants {} to {} on channel hash {:#010x}, {} left",
                        token.issuer,
                        token.scope,
                        token.subject,
                        token.channel_hash,
                        span(left)
                    )
                },
                || json!({ "valid": true, "token": fields(&token, None) }),
            );
            Ok(())
        }
        Cmd::Inspect { token } => {
            let token = parse(&token)?;
            let signature = token.verify_signature().err().map(|e| e.kind());
            let now = now();
            let window = if now < token.not_before {
                "not yet valid"
            } else if token.is_expired_at(now) {
                "expired"
            } else {
                "valid now"
            };
            out.emit(
                || {
                    let mut s = String::new();
                    s.push_str(&format!("issuer:           {}\n", token.issuer));
                    s.push_str(&format!("subject:          {}\n", token.subject));
                    s.push_str(&format!("scope:            {}\n", token.scope));
                    s.push_str(&format!("channel hash:     {:#010x}\n", token.channel_hash));
                    s.push_str(&format!("not before:       {} UTC\n", utc(token.not_before)));
                    s.push_str(&format!("not after:        {} UTC ({window})\n", utc(token.not_after)));
                    s.push_str(&format!("delegation depth: {}\n", token.delegation_depth));
                    s.push_str(&format!("nonce:            {:#018x}\n", token.nonce));
                    s.push_str(&format!(
                        "signature:        {}",
                        signature.map_or("valid".to_owned(), |k| format!("INVALID ({k})"))
                    ));
                    s
                },
                || {
                    let mut v = fields(&token, None);
                    v["signature_valid"] = json!(signature.is_none());
                    v["window"] = json!(window);
                    v
                },
            );
            Ok(())
        }
    }
}

/// The token named by a TOKEN argument: hex, or `-` for stdin.
fn parse(arg: &str) -> Result<PermissionToken> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Fail::input("TOKEN (stdin)", e))?;
        s
    } else {
        arg.to_owned()
    };
    let bytes = hex::decode(text.trim()).map_err(|e| Fail::input("TOKEN", format!("not hex ({e})")))?;
    if bytes.len() != PermissionToken::WIRE_SIZE {
        return Err(Fail::input(
            "TOKEN",
            format!("{} bytes, a token is {} ({} hex digits)", bytes.len(), PermissionToken::WIRE_SIZE, 2 * PermissionToken::WIRE_SIZE),
        ));
    }
    PermissionToken::from_bytes(&bytes).map_err(refused)
}

fn refused(e: TokenError) -> Fail {
    Fail::failed(e.kind(), format!("token refused: {e} ({})", e.kind()))
}

fn fields(t: &PermissionToken, hex_form: Option<&str>) -> serde_json::Value {
    let mut v = json!({
        "issuer": t.issuer.to_string(),
        "subject": t.subject.to_string(),
        "scope": t.scope.names(),
        "channel_hash": t.channel_hash,
        "not_before": t.not_before,
        "not_after": t.not_after,
        "delegation_depth": t.delegation_depth,
        "nonce": t.nonce,
    });
    if let Some(h) = hex_form {
        v["token"] = json!(h);
    }
    v
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `secs` as "1h 2m 3s".
fn span(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC, proleptic Gregorian).
fn utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(utc(4_102_444_799), "2099-12-31 23:59:59");
    }

    #[test]
    fn spans() {
        assert_eq!(span(5), "5s");
        assert_eq!(span(65), "1m 5s");
        assert_eq!(span(3_725), "1h 2m 5s");
    }
}

//! One-shot polling with cursors, fair across shards.

use super::backend::Backend;
use super::cursor::Cursor;
use super::event::Event;
use super::event_bus::EventBus;
use crate::error::Result;

/// What to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRequest {
    /// Maximum number of events to return (default 100; 0 returns none).
    pub limit: usize,
    /// Where to resume: a previous response's `next_id`. `None` starts at
    /// the oldest retained event of every shard.
    pub cursor: Option<String>,
}

impl Default for PollRequest {
    fn default() -> Self {
        Self { limit: 100, cursor: None }
    }
}

/// What a poll returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollResponse {
    /// Events, in per-shard sequence order (shards interleaved in blocks).
    pub events: Vec<Event>,
    /// The cursor to pass next time: per shard, the next sequence to read,
    /// as `"0:15,1:7,2:0,3:9"`.
    pub next_id: String,
    /// Whether some shard still has unread events.
    pub has_more: bool,
}

/// Read up to `limit` events across all shards into `out`, advancing
/// `cursor`. First pass: each shard gets an equal share, so one busy shard
/// cannot starve the others. Second pass: what is left goes to shards that
/// still have events. The starting shard rotates with the cursor, so the
/// remainder of an uneven split (or a limit below the shard count) does not
/// always favour shard 0.
pub(crate) async fn read_fair(backend: &dyn Backend, cursor: &mut Cursor, limit: usize, out: &mut Vec<Event>) -> Result<()> {
    let n = cursor.0.len();
    if limit == 0 || n == 0 {
        return Ok(());
    }
    let rotate = (cursor.0.iter().fold(0u64, |a, s| a.wrapping_add(*s)) % n as u64) as usize;
    let (base, extra) = (limit / n, limit % n);
    let mut remaining = limit;
    let mut more = vec![false; n];
    for k in 0..n {
        let s = (k + rotate) % n;
        let quota = base + usize::from(k < extra);
        if quota == 0 {
            more[s] = true;
            continue;
        }
        remaining -= read_shard(backend, cursor, s, quota, out, &mut more).await?;
    }
    for k in 0..n {
        let s = (k + rotate) % n;
        if remaining == 0 {
            break;
        }
        if more[s] {
            remaining -= read_shard(backend, cursor, s, remaining, out, &mut more).await?;
        }
    }
    Ok(())
}

async fn read_shard(backend: &dyn Backend, cursor: &mut Cursor, s: usize, limit: usize, out: &mut Vec<Event>, more: &mut [bool]) -> Result<usize> {
    let before = out.len();
    let r = backend.read(s as u16, cursor.0[s], limit, out).await?;
    // Never move a cursor backwards (a backend reporting an older position).
    cursor.0[s] = cursor.0[s].max(r.next_sequence);
    more[s] = r.has_more;
    Ok(out.len() - before)
}

impl EventBus {
    /// One-shot poll; see [`PollRequest`].
    pub async fn poll(&self, req: PollRequest) -> Result<PollResponse> {
        self.check_open()?;
        let mut cursor = Cursor::parse_opt(req.cursor.as_deref(), self.config.shards)?;
        // Cap the up-front reservation: a huge limit must not allocate huge.
        let mut events = Vec::with_capacity(req.limit.min(1 << 16));
        read_fair(&*self.backend, &mut cursor, req.limit, &mut events).await?;
        let has_more = cursor.0.iter().enumerate().any(|(s, next)| *next < self.backend.tail(s as u16));
        Ok(PollResponse { events, next_id: cursor.encode(), has_more })
    }
}

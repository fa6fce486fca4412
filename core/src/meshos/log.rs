//! Log lines a daemon publishes: [`LogLevel`], [`LogRecord`], and the
//! bounded ring they wait in until the host drains them.

use super::error::{MeshOsError, MeshOsErrorKind};
use super::queue::{PushError, WaitQueue};

/// A log line's severity; the numbers are the C ABI's `NET_MESHOS_LOG_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// 0
    Trace,
    /// 1
    Debug,
    /// 2
    Info,
    /// 3
    Warn,
    /// 4
    Error,
}

impl LogLevel {
    /// The level numbered `n`, or `invalid_log_level`.
    pub fn from_i32(n: i32) -> Result<LogLevel, MeshOsError> {
        Ok(match n {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            4 => LogLevel::Error,
            _ => {
                return Err(MeshOsError::new(
                    MeshOsErrorKind::InvalidLogLevel,
                    format!("log level {n} is not one of 0 (trace) to 4 (error)"),
                ))
            }
        })
    }

    /// The level named `name` ("trace" … "error", any case), or
    /// `invalid_log_level`.
    pub fn parse(name: &str) -> Result<LogLevel, MeshOsError> {
        match name.to_ascii_lowercase().as_str() {
            "trace" => Ok(LogLevel::Trace),
            "debug" => Ok(LogLevel::Debug),
            "info" => Ok(LogLevel::Info),
            "warn" | "warning" => Ok(LogLevel::Warn),
            "error" => Ok(LogLevel::Error),
            _ => Err(MeshOsError::new(
                MeshOsErrorKind::InvalidLogLevel,
                format!("log level {name:?} is not one of trace, debug, info, warn, error"),
            )),
        }
    }

    /// Its lowercase name.
    pub fn as_str(&self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// One published log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The publishing daemon's id (its origin hash).
    pub daemon_id: u64,
    /// Its name.
    pub daemon_name: String,
    /// Severity.
    pub level: LogLevel,
    /// The text.
    pub message: String,
    /// Wall-clock milliseconds since the Unix epoch.
    pub at_ms: u64,
}

pub(crate) struct LogRing {
    queue: WaitQueue<LogRecord>,
    capacity: usize,
}

impl LogRing {
    pub(crate) fn new(capacity: usize) -> Self {
        LogRing { queue: WaitQueue::new(capacity), capacity }
    }

    pub(crate) fn publish(&self, record: LogRecord) -> Result<(), MeshOsError> {
        self.queue.push(record).map_err(|e| match e {
            PushError::Full => MeshOsError::new(
                MeshOsErrorKind::QueueFull,
                format!("the log ring holds {} lines; drain it", self.capacity),
            ),
            PushError::Closed => MeshOsError::loop_closed(),
        })
    }

    pub(crate) fn drain(&self) -> Vec<LogRecord> {
        self.queue.drain()
    }

    pub(crate) fn close(&self) {
        self.queue.close();
    }
}

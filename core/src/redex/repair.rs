//! [`RepairReport`]: what opening a persistent file had to cut.

use std::path::PathBuf;

/// Why records were cut on open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairKind {
    /// The newest segment ended in a record that was never completely
    /// written (the process or machine died mid-append). Always cut: the
    /// append that wrote it never returned.
    TornTail,
    /// A damaged record with data after it, cut only because the file was
    /// opened with `recover`; everything from it on is gone.
    Corruption,
}

/// One repair made by `open_file`, readable from
/// [`RedexFile::repair_report`](super::RedexFile::repair_report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairReport {
    pub kind: RepairKind,
    /// The segment that was cut.
    pub file: PathBuf,
    /// Where the bad record started (the segment's new length).
    pub offset: u64,
    /// What was wrong with the record.
    pub reason: String,
    /// Bytes removed: the segment's tail plus every later segment.
    pub bytes_cut: u64,
    /// Later segments deleted whole.
    pub segments_removed: usize,
}

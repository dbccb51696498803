//! Files the server re-reads when they change: the bearer token file and the
//! TLS certificate, key and client CA.

use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// What identifies a version of a file: its modification time, size and
/// (on Unix) inode. A file replaced by a rename (the safe way to rotate a
/// secret) gets a new inode even within one clock tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    /// The stamp of the file at `path` now (following symbolic links, so a
    /// Kubernetes secret mount, whose files are links to a directory swapped
    /// atomically, is seen to change).
    pub(super) fn of(path: &Path) -> io::Result<Stamp> {
        let metadata = fs::metadata(path)?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Ok(Stamp { modified: metadata.modified().ok(), len: metadata.len(), inode })
    }
}

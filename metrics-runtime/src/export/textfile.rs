//! The textfile sink, for `node_exporter`'s textfile collector: each delivery
//! writes `<dir>/<name>.prom` whole, so that a reader never sees part of
//! one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{BoxFuture, Delivered, ExportError, Sink, SinkError};
use crate::encode::{self, PrometheusText};
use crate::snapshot::Snapshot;

/// Writes `<dir>/<name>.prom` at every delivery: into a temporary file in
/// the same directory (a hidden name that does not end in `.prom`, so the
/// collector never reads it), flushed to disk, then renamed over the
/// previous file, and the directory flushed. A reader sees the previous
/// delivery or this one, complete: exactly one file per delivery.
///
/// ```
/// # let dir = std::env::temp_dir();
/// let sink = metricate::export::Textfile::new(&dir, "billing")?; // writes billing.prom there
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
#[derive(Debug)]
pub struct Textfile {
    path: PathBuf,
    temporary: PathBuf,
    body: Vec<u8>,
}

impl Textfile {
    /// A sink writing `<dir>/<name>.prom`. Refuses a name that is empty,
    /// hidden or holds anything but letters, digits, `_`, `-` and `.`, and
    /// a directory that does not exist or cannot be written (it writes and
    /// removes its temporary file to find out).
    pub fn new(dir: impl AsRef<Path>, name: &str) -> Result<Textfile, ExportError> {
        let dir = dir.as_ref();
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid {
            return Err(ExportError::Config(format!(
                "`{name}` is not a textfile name: letters, digits, `_`, `-` and `.`, not starting with `.`"
            )));
        }
        let file = if Path::new(name).extension().is_some_and(|e| e == "prom") {
            name.to_owned()
        } else {
            format!("{name}.prom")
        };
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(ExportError::Config(format!("{} is not a directory", dir.display()))),
            Err(e) => return Err(ExportError::Config(format!("cannot use the directory {}: {e}", dir.display()))),
        }
        let temporary = dir.join(format!(".{file}.{}.tmp", std::process::id()));
        File::create(&temporary)
            .and_then(|_| fs::remove_file(&temporary))
            .map_err(|e| ExportError::Config(format!("cannot write in {}: {e}", dir.display())))?;
        Ok(Textfile { path: dir.join(file), temporary, body: Vec::new() })
    }

    /// The file it writes.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes `body` to `temporary`, flushes it, renames it to `path` and
/// flushes the directory.
fn replace(path: &Path, temporary: &Path, body: &[u8]) -> io::Result<()> {
    let result = (|| {
        let mut file = File::create(temporary)?;
        file.write_all(body)?;
        file.sync_all()?;
        fs::rename(temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(temporary);
    }
    result?;
    // The rename is durable once the directory is: best effort, as some
    // file systems cannot flush a directory.
    if let Some(dir) = path.parent()
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

impl Sink for Textfile {
    fn kind(&self) -> &'static str {
        "textfile"
    }

    fn destination(&self) -> String {
        self.path.display().to_string()
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            let mut body = std::mem::take(&mut self.body);
            body.clear();
            encode::encode(snapshot, &mut PrometheusText::new(), &mut body);
            let samples = super::text_samples(snapshot);
            let (path, temporary) = (self.path.clone(), self.temporary.clone());
            // File I/O off the runtime's threads.
            let (body, result) = tokio::task::spawn_blocking(move || {
                let result = replace(&path, &temporary, &body);
                (body, result)
            })
            .await
            .map_err(|e| {
                SinkError::retryable(format!("the write of {} did not finish: {e}", self.path.display()))
                    .with_samples(0, samples)
            })?;
            let bytes = body.len() as u64;
            self.body = body;
            result.map_err(|e| {
                let message = format!("cannot write {}: {e}", self.path.display());
                match e.kind() {
                    io::ErrorKind::PermissionDenied => SinkError::permanent(message),
                    _ => SinkError::retryable(message),
                }
                .with_samples(0, samples)
            })?;
            Ok(Delivered::new(bytes, samples))
        })
    }
}

//! For a build script (`build.rs`): what [`BuildInfo`](crate::BuildInfo)
//! cannot learn while the crate compiles.
//!
//! A macro cannot tell Cargo to rebuild when the git revision changes; a
//! build script can. Call [`git_revision`] from the `build.rs` of the crate
//! that declares `build_info: BuildInfo`, with the runtime as a build
//! dependency:
//!
//! ```toml
//! [build-dependencies]
//! metricate = { version = "0.1", default-features = false }
//! ```
//!
//! ```no_run
//! // in build.rs's `main`
//! metricate::build::git_revision();
//! ```
//!
//! A build script that prints `cargo:rerun-if-changed` lines makes Cargo
//! rerun it only when those files change: list your own inputs too if the
//! script has any.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable the revision is passed in, which `BuildInfo` reads when its
/// crate compiles. Set it in the environment to give a revision without git
/// (e.g. in a container build from a tarball).
pub const REVISION_VARIABLE: &str = "METRICATE_GIT_REVISION";

/// Gives `BuildInfo` the git revision of the crate's repository (`git
/// rev-parse --short=12 HEAD`, with `-dirty` when the work tree has
/// uncommitted changes), or the value of `METRICATE_GIT_REVISION` when set,
/// and has Cargo rerun the build script when the checked-out commit
/// changes. Without git, or outside a repository, the revision stays
/// `unknown`. Returns the revision given.
pub fn git_revision() -> Option<String> {
    println!("cargo:rerun-if-env-changed={REVISION_VARIABLE}");
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let revision = match std::env::var(REVISION_VARIABLE) {
        Ok(revision) => Some(revision),
        Err(_) => {
            if let Some(git_dir) = git(&dir, &["rev-parse", "--absolute-git-dir"]) {
                watch(Path::new(&git_dir));
            }
            git(&dir, &["rev-parse", "--short=12", "HEAD"]).map(|head| {
                let dirty =
                    git(&dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
                if dirty { format!("{head}-dirty") } else { head }
            })
        }
    };
    let revision = revision.filter(|r| !r.is_empty() && !r.contains(['"', '\\', '\n', '\r']))?;
    println!("cargo:rustc-env={REVISION_VARIABLE}={revision}");
    Some(revision)
}

/// Has Cargo rerun the build script when HEAD moves: the `HEAD` file, the
/// branch it points at, the packed refs and the index (for `-dirty`).
fn watch(git_dir: &Path) {
    let head = git_dir.join("HEAD");
    println!("cargo:rerun-if-changed={}", head.display());
    if let Ok(text) = std::fs::read_to_string(&head)
        && let Some(reference) = text.trim().strip_prefix("ref: ")
    {
        println!("cargo:rerun-if-changed={}", git_dir.join(reference).display());
    }
    for file in ["packed-refs", "index"] {
        let path = git_dir.join(file);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// The trimmed output of a successful git command.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).current_dir(dir).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

//! Gives `trc_build_info` the git revision of the checkout the demo is built
//! from (`git rev-parse --short=12 HEAD`, `-dirty` with uncommitted changes),
//! or `METRICATE_GIT_REVISION` when set. Built outside git (from a tarball)
//! or without git installed, the revision stays `unknown` and the build goes
//! on.

fn main() {
    // `None` (no git, no repository) is not an error: the label says `unknown`.
    let _ = metricate::build::git_revision();
}

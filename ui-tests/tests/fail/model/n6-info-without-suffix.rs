use metricate::{BuildInfo, Info, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, LabelSet)]
struct Role {
    mode: Mode,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// The node's role in its cluster.
    role: Info<Role>,
    /// The build of the running binary.
    build: BuildInfo,
}

fn main() {
    Ui::global().role.set(Role { mode: Mode::Replica });
    let _ = Mode::Primary;
}

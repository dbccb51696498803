use metricate::{Family, Info, LabelSet, LabelValue, Metrics, StateSet};

#[derive(Clone, Copy, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    North,
    South,
}

#[derive(Clone, Copy, LabelSet)]
struct Role {
    mode: Mode,
}

#[derive(Clone, Copy, LabelSet)]
struct Node {
    shard: Shard,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Each shard's role in its cluster.
    role_info: Family<Node, Info<Role>>,
    /// Each shard's replication mode.
    mode: Family<Node, StateSet<Mode>>,
}

fn main() {
    let _ = Ui::global();
    let _ = (Mode::Primary, Mode::Replica, Shard::North, Shard::South);
}

use metricate::instrument_metric;

struct Worker;

impl Worker {
    /// Runs the worker.
    #[instrument_metric(subsystem = "ui", metrics = RunMetrics)]
    fn run(&self) {}

    /// Makes a worker: no receiver, so the macro cannot tell it from a free
    /// function, and rustc reports the struct the `impl` cannot hold.
    #[instrument_metric(subsystem = "ui", metrics = CreateMetrics)]
    fn create() -> Worker {
        Worker
    }
}

fn main() {
    Worker::create().run();
}

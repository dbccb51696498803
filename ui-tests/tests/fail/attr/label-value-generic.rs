use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Protocol<T> {
    Http,
    Other(T),
}

fn main() {}

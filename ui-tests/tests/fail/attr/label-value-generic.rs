use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Protocol<T> {
    Http,
    Other(T),
}

fn main() {}

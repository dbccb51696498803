use metricate::http::HttpMetrics;

#[derive(HttpMetrics)]
enum Http {
    Api,
    Admin,
}

fn main() {}

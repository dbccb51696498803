//! The Pushgateway sink: each delivery pushes the snapshot as Prometheus
//! text 0.0.4 (without timestamps) to one group of a Prometheus Pushgateway,
//! `/metrics/job/<job>{/<label>/<value>}`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};

use super::http::{Endpoint, Transport};
use super::{BoxFuture, Delivered, ExportError, ExternalLabels, Sink, SinkError};
use crate::encode::{self, PrometheusText};
use crate::snapshot::Snapshot;

/// How a delivery replaces what the group held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PushMethod {
    /// `PUT`: the group holds exactly this delivery's families afterwards
    /// (the default).
    #[default]
    Put,
    /// `POST`: families of the same name are replaced, the group's other
    /// families stay.
    Post,
}

/// Pushes to a Prometheus Pushgateway.
///
/// ```
/// use metricate::export::{PushMethod, Pushgateway, Transport};
///
/// let sink = Pushgateway::new("http://127.0.0.1:9091", "nightly_backup")?
///     .grouping("instance", "db-3")?
///     .grouping("path", "/var/lib/db")? // a `/` goes as `path@base64/L3Zhci9saWIvZGI=`
///     .method(PushMethod::Post)
///     .delete_on_shutdown(true);
/// // Behind TLS and authentication:
/// let hosted = Pushgateway::new("https://push.example.com", "nightly_backup")?
///     .transport(&Transport::new().basic_auth("backup", "s3cr3t")?)?;
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// Job and grouping values that are empty or hold anything but letters,
/// digits, `_`, `-` and `.` go in the URL in the Pushgateway's `@base64`
/// form, so every value round-trips. Grouping label names follow the
/// Prometheus rules; `job` is the job, not a grouping label.
pub struct Pushgateway {
    endpoint: Endpoint,
    /// `/metrics/job/..`: the group.
    path: String,
    method: PushMethod,
    delete_on_shutdown: bool,
    grouping: Vec<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl std::fmt::Debug for Pushgateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pushgateway")
            .field("group", &self.endpoint.url(&self.path))
            .field("method", &self.method)
            .field("delete_on_shutdown", &self.delete_on_shutdown)
            .field("grouping", &self.grouping)
            .finish_non_exhaustive()
    }
}

impl Pushgateway {
    /// A sink pushing to the gateway at `url` (e.g. `http://127.0.0.1:9091`,
    /// with a path prefix if the gateway sits behind one) under `job`.
    /// Refuses a URL that does not parse or is not `http` or `https`, and
    /// an empty job.
    pub fn new(url: &str, job: &str) -> Result<Pushgateway, ExportError> {
        let endpoint =
            Endpoint::parse(url, &Transport::new()).map_err(|e| ExportError::Config(format!("Pushgateway URL {e}")))?;
        if job.is_empty() {
            return Err(ExportError::Config("the Pushgateway job name is empty".into()));
        }
        Ok(Pushgateway {
            endpoint,
            path: format!("/metrics/{}", segment("job", job)),
            method: PushMethod::Put,
            delete_on_shutdown: false,
            grouping: Vec::new(),
            headers: {
                let mut headers = HeaderMap::new();
                headers
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
                headers
            },
            body: Vec::new(),
        })
    }

    /// A sink pushing to the gateway at `url` under the job and grouping
    /// labels of `labels`: its `job` is the job, the others are grouping
    /// labels in their order (the set remote-write can take too, with
    /// [`RemoteWrite::external_labels`](super::RemoteWrite::external_labels)).
    /// Refuses labels without `job`.
    pub fn with_labels(url: &str, labels: &ExternalLabels) -> Result<Pushgateway, ExportError> {
        let job = labels
            .get("job")
            .ok_or_else(|| ExportError::Config("the Pushgateway needs a `job` among its labels".into()))?;
        let mut sink = Pushgateway::new(url, job)?;
        for (name, value) in labels.iter().filter(|(name, _)| *name != "job") {
            sink = sink.grouping(name, value)?;
        }
        Ok(sink)
    }

    /// Adds a grouping label. Refuses a name that is not a label name
    /// (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`), `job`, and a name
    /// given twice.
    pub fn grouping(mut self, name: &str, value: &str) -> Result<Pushgateway, ExportError> {
        super::check_label_name(name, "a grouping label")?;
        if name == "job" {
            return Err(ExportError::Config("`job` is the Pushgateway job, given to Pushgateway::new".into()));
        }
        if self.grouping.iter().any(|g| g == name) {
            return Err(ExportError::Config(format!("the grouping label `{name}` is given twice")));
        }
        self.grouping.push(name.to_owned());
        self.path.push('/');
        self.path.push_str(&segment(name, value));
        Ok(self)
    }

    /// `PUT` (the default) or `POST`.
    #[must_use]
    pub fn method(mut self, method: PushMethod) -> Pushgateway {
        self.method = method;
        self
    }

    /// Whether shutdown deletes the group after the final delivery, for
    /// a job whose metrics should not outlive it (off by default: the
    /// gateway then keeps the last values, which is what a batch job wants).
    #[must_use]
    pub fn delete_on_shutdown(mut self, delete: bool) -> Pushgateway {
        self.delete_on_shutdown = delete;
        self
    }

    /// How to connect and authenticate: TLS trust, a client certificate,
    /// credentials, headers of its own. Refuses a transport the URL cannot
    /// use (an `https://` host name TLS cannot verify).
    pub fn transport(mut self, transport: &Transport) -> Result<Pushgateway, ExportError> {
        self.endpoint.configure(transport).map_err(|e| ExportError::Config(format!("Pushgateway transport: {e}")))?;
        Ok(self)
    }
}

/// `name/value`, or `name@base64/<value in URL-safe base64>` for a value the
/// path would not carry as it is.
fn segment(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value != "."
        && value != ".."
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    match (plain, value.is_empty()) {
        (true, _) => format!("{name}/{value}"),
        // The gateway's spelling of the empty value: `=` (the padding alone).
        (false, true) => format!("{name}@base64/="),
        (false, false) => format!("{name}@base64/{}", URL_SAFE.encode(value)),
    }
}

impl Sink for Pushgateway {
    fn kind(&self) -> &'static str {
        "pushgateway"
    }

    fn destination(&self) -> String {
        self.endpoint.url(&self.path)
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            let samples = super::text_samples(snapshot);
            // The gateway would replace a pushed label with the grouping
            // label of the same name: refused, not silently changed.
            if let Some((name, _)) =
                snapshot.constant_labels().iter().find(|(n, _)| self.grouping.iter().any(|g| g == n))
            {
                return Err(SinkError::permanent(format!(
                    "the constant label `{name}` is also a grouping label of {}: the gateway would replace its value; rename one of them",
                    self.destination()
                ))
                .with_samples(0, samples));
            }
            self.body.clear();
            encode::encode(snapshot, &mut PrometheusText::new(), &mut self.body);
            let bytes = self.body.len() as u64;
            let method = match self.method {
                PushMethod::Put => Method::PUT,
                PushMethod::Post => Method::POST,
            };
            let body = Bytes::copy_from_slice(&self.body);
            let unsent = |e: SinkError| e.with_samples(0, samples);
            let response = self.endpoint.send(method, &self.path, &self.headers, body).await.map_err(unsent)?;
            response.check(&format!("push to {}", self.destination())).map_err(unsent)?;
            Ok(Delivered::new(bytes, samples))
        })
    }

    fn close(&mut self) -> BoxFuture<'_, Result<(), SinkError>> {
        Box::pin(async move {
            if !self.delete_on_shutdown {
                return Ok(());
            }
            let response = self.endpoint.send(Method::DELETE, &self.path, &HeaderMap::new(), Bytes::new()).await?;
            response.check(&format!("delete of {}", self.destination()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_is_in_the_path_with_base64_where_needed() {
        let sink = Pushgateway::new("http://gw:9091/prefix/", "backup")
            .unwrap()
            .grouping("instance", "db-3.local")
            .unwrap()
            .grouping("path", "/var/lib")
            .unwrap()
            .grouping("empty", "")
            .unwrap()
            .grouping("spaced", "a b")
            .unwrap();
        assert_eq!(
            sink.destination(),
            "http://gw:9091/prefix/metrics/job/backup/instance/db-3.local/path@base64/L3Zhci9saWI=/empty@base64/=\
             /spaced@base64/YSBi"
        );
        let job = Pushgateway::new("http://gw:9091", "a/b").unwrap();
        assert_eq!(job.destination(), "http://gw:9091/metrics/job@base64/YS9i");
        let labels = ExternalLabels::new().label("instance", "db-3").unwrap().label("job", "backup").unwrap();
        let shared = Pushgateway::with_labels("http://gw:9091", &labels).unwrap();
        assert_eq!(shared.destination(), "http://gw:9091/metrics/job/backup/instance/db-3");
        let no_job = Pushgateway::with_labels("http://gw:9091", &ExternalLabels::new()).unwrap_err();
        assert!(no_job.to_string().contains("needs a `job`"), "{no_job}");
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let error = |result: Result<Pushgateway, ExportError>| result.unwrap_err().to_string();
        assert!(error(Pushgateway::new("gw:9091", "job")).contains("has no scheme"));
        assert!(error(Pushgateway::new("http://gw:9091", "")).contains("job name is empty"));
        let sink = || Pushgateway::new("http://gw:9091", "job").unwrap();
        assert!(error(sink().grouping("9lives", "x")).contains("is not a grouping label name"));
        assert!(error(sink().grouping("__name", "x")).contains("not starting with `__`"));
        assert!(error(sink().grouping("job", "x")).contains("`job` is the Pushgateway job"));
        assert!(error(sink().grouping("a", "x").unwrap().grouping("a", "y")).contains("given twice"));
    }

    #[test]
    fn a_constant_label_that_is_a_grouping_label_is_refused_not_replaced() {
        let registry = crate::Registry::new()
            .with_constant_labels(crate::ConstantLabels::new().with("service", "billing").unwrap())
            .unwrap();
        let snapshot = registry.snapshot(|_| true);
        // Nothing listens there: the delivery is refused before it connects.
        let mut sink = Pushgateway::new("http://127.0.0.1:9", "job").unwrap().grouping("service", "other").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let error = runtime.block_on(sink.deliver(&snapshot)).unwrap_err();
        assert!(error.to_string().contains("constant label `service` is also a grouping label"), "{error}");
        assert_eq!(error.retry, super::super::Retry::No, "{error}");
    }
}

//! A derived label set's index is the mixed-radix number of its values, the
//! first label most significant: every combination has its own index in
//! `0..CARDINALITY`, in the order the encoders write them, and a recorded
//! series is exposed with the labels it was recorded with. A derived label
//! value is named by the enum's `rename_all` rule, unless renamed.

use metricate::encode::Format;
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, Registry};

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Region {
    East,
    West,
}

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Tier {
    Free,
    Team,
    Enterprise,
}

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Method {
    Get,
    Put,
    Post,
    Delete,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    region: Region,
    tier: Option<Tier>,
    method: Method,
}

#[derive(Metrics)]
#[metrics(subsystem = "index")]
struct Served {
    /// Requests served.
    requests_total: Family<Request, Counter>,
}

const REGIONS: [Region; 2] = [Region::East, Region::West];
const TIERS: [Option<Tier>; 4] = [Some(Tier::Free), Some(Tier::Team), Some(Tier::Enterprise), None];
const METHODS: [Method; 4] = [Method::Get, Method::Put, Method::Post, Method::Delete];

#[test]
fn every_combination_has_its_mixed_radix_index() {
    assert_eq!(Request::CARDINALITY, 2 * 4 * 4);
    let mut expected = 0;
    for region in REGIONS {
        for tier in TIERS {
            for method in METHODS {
                assert_eq!(Request { region, tier, method }.index(), expected);
                expected += 1;
            }
        }
    }
}

#[test]
fn a_series_is_exposed_with_the_labels_it_was_recorded_with() {
    let served = Served::new_unregistered();
    served.requests_total.with(Request { region: Region::West, tier: Some(Tier::Free), method: Method::Post }).inc();
    served.requests_total.with(Request { region: Region::East, tier: None, method: Method::Put }).inc_by(2);
    let mut registry = Registry::new();
    registry.register_group(&served).unwrap();
    let mut out = Vec::new();
    Format::Prometheus.encode(&registry, &mut out);
    let text = String::from_utf8(out).unwrap();
    let recorded: Vec<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.ends_with(" 0")).collect();
    assert_eq!(
        recorded,
        [
            "metrics_index_requests_total{region=\"east\",tier=\"unknown\",method=\"put\"} 2",
            "metrics_index_requests_total{region=\"west\",tier=\"free\",method=\"post\"} 1",
        ],
        "{text}"
    );
}

macro_rules! rule {
    ($name:ident, $rule:literal) => {
        #[derive(Clone, Copy, LabelValue)]
        #[label(rename_all = $rule)]
        enum $name {
            NotTls,
            Http2,
        }
    };
}

rule!(Snake, "snake_case");
rule!(ScreamingSnake, "SCREAMING_SNAKE_CASE");
rule!(Kebab, "kebab-case");
rule!(ScreamingKebab, "SCREAMING-KEBAB-CASE");
rule!(Lower, "lowercase");
rule!(Upper, "UPPERCASE");
rule!(Camel, "camelCase");
rule!(Pascal, "PascalCase");

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "kebab-case")]
enum Protocol {
    TlsPassthrough,
    #[label(rename = "tcp")]
    RawTcp,
}

#[test]
fn rename_all_names_each_value_by_its_rule_and_rename_wins() {
    assert_eq!([Snake::NotTls.as_str(), Snake::Http2.as_str()], ["not_tls", "http2"]);
    assert_eq!([ScreamingSnake::NotTls.as_str(), ScreamingSnake::Http2.as_str()], ["NOT_TLS", "HTTP2"]);
    assert_eq!([Kebab::NotTls.as_str(), Kebab::Http2.as_str()], ["not-tls", "http2"]);
    assert_eq!([ScreamingKebab::NotTls.as_str(), ScreamingKebab::Http2.as_str()], ["NOT-TLS", "HTTP2"]);
    assert_eq!([Lower::NotTls.as_str(), Lower::Http2.as_str()], ["nottls", "http2"]);
    assert_eq!([Upper::NotTls.as_str(), Upper::Http2.as_str()], ["NOTTLS", "HTTP2"]);
    assert_eq!([Camel::NotTls.as_str(), Camel::Http2.as_str()], ["notTls", "http2"]);
    assert_eq!([Pascal::NotTls.as_str(), Pascal::Http2.as_str()], ["NotTls", "Http2"]);
    assert_eq!([Protocol::TlsPassthrough.as_str(), Protocol::RawTcp.as_str()], ["tls-passthrough", "tcp"]);
}

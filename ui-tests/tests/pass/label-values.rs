//! Every `rename_all` rule, and renamed values in any UTF-8 (escaped once, at
//! compile time).

use metricate::LabelValue;

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
enum Odd {
    #[label(rename = "größe")]
    Size,
    #[label(rename = "say \"hi\"")]
    Quoted,
    #[label(rename = "a\\b")]
    Backslash,
    #[label(rename = "line\nbreak")]
    Newline,
    #[label(rename = "2xx")]
    Success,
    /// A single value, left as the default snake case.
    HttpError,
}

fn main() {
    assert_eq!([Snake::NotTls.as_str(), Snake::Http2.as_str()], ["not_tls", "http2"]);
    assert_eq!(ScreamingSnake::NotTls.as_str(), "NOT_TLS");
    assert_eq!(Kebab::NotTls.as_str(), "not-tls");
    assert_eq!(ScreamingKebab::NotTls.as_str(), "NOT-TLS");
    assert_eq!(Lower::NotTls.as_str(), "nottls");
    assert_eq!(Upper::NotTls.as_str(), "NOTTLS");
    assert_eq!(Camel::NotTls.as_str(), "notTls");
    assert_eq!(Pascal::NotTls.as_str(), "NotTls");
    let _ = (ScreamingSnake::Http2, Kebab::Http2, ScreamingKebab::Http2, Lower::Http2);
    let _ = (Upper::Http2, Camel::Http2, Pascal::Http2);
    assert_eq!(Odd::VALUES, ["größe", "say \"hi\"", "a\\b", "line\nbreak", "2xx", "http_error"]);
    assert_eq!(Odd::ESCAPED, ["größe", "say \\\"hi\\\"", "a\\\\b", "line\\nbreak", "2xx", "http_error"]);
    let _ = (Odd::Size, Odd::Quoted, Odd::Backslash, Odd::Newline, Odd::Success, Odd::HttpError);
}

//! Escaping shared by the Prometheus text and OpenMetrics expositions, and
//! the double-quoted strings of the JSON and YAML files the tools write.
//!
//! Label values escape `\`, `"` and line feed in both formats. Help text
//! escapes `\` and line feed in Prometheus text, and also `"` in OpenMetrics.

use std::borrow::Cow;

/// Escapes a label value for use between double quotes.
///
/// ```
/// assert_eq!(metricate_spec::escape::label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
/// assert!(matches!(metricate_spec::escape::label_value("plain"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn label_value(value: &str) -> Cow<'_, str> {
    escape(value, true)
}

/// Escapes help text; `quote` also escapes `"` (OpenMetrics).
pub fn help(text: &str, quote: bool) -> Cow<'_, str> {
    escape(text, quote)
}

fn escape(text: &str, quote: bool) -> Cow<'_, str> {
    let needs = |b: u8| b == b'\\' || b == b'\n' || (quote && b == b'"');
    if !text.bytes().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Appends `text` to `out` as a double-quoted string in the escapes JSON
/// and YAML share: `"` and `\` escaped, line feed, tab and carriage return as
/// `\n`, `\t`, `\r`. Every other character is given to `other`, which writes
/// it escaped and returns `true`, or returns `false` to have it written as is:
/// what else each format escapes, and how, differs.
///
/// ```
/// use std::fmt::Write as _;
/// let mut out = String::new();
/// metricate_spec::escape::double_quoted(&mut out, "a\"b\\\n\u{1}", |out, c| {
///     c < ' ' && write!(out, "\\u{:04x}", u32::from(c)).is_ok()
/// });
/// assert_eq!(out, r#""a\"b\\\n\u0001""#);
/// ```
pub fn double_quoted(out: &mut String, text: &str, mut other: impl FnMut(&mut String, char) -> bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => {
                if !other(out, c) {
                    out.push(c);
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_keeps_quotes_in_prometheus_text_and_escapes_them_in_openmetrics() {
        assert_eq!(help("say \"hi\"\\", false), "say \"hi\"\\\\");
        assert_eq!(help("say \"hi\"\\", true), "say \\\"hi\\\"\\\\");
    }

    #[test]
    fn non_ascii_passes_through() {
        assert_eq!(label_value("zürich \u{1F600}"), "zürich \u{1F600}");
    }
}

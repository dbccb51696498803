//! Renamed values in any UTF-8 (escaped once, at compile time). Every
//! `rename_all` rule is compiled and checked in the runtime's
//! `tests/label_index.rs`.

use metricate::LabelValue;

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
    let _ = (Odd::Size, Odd::Quoted, Odd::Backslash, Odd::Newline, Odd::Success, Odd::HttpError);
}

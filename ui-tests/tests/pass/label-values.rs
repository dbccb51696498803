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
    let _ = (Snake::NotTls, Snake::Http2, ScreamingSnake::NotTls, ScreamingSnake::Http2);
    let _ = (Kebab::NotTls, Kebab::Http2, ScreamingKebab::NotTls, ScreamingKebab::Http2);
    let _ = (Lower::NotTls, Lower::Http2, Upper::NotTls, Upper::Http2);
    let _ = (Camel::NotTls, Camel::Http2, Pascal::NotTls, Pascal::Http2);
    let _ = (Odd::Size, Odd::Quoted, Odd::Backslash, Odd::Newline, Odd::Success, Odd::HttpError);
}

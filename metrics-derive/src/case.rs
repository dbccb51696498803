//! The `rename_all` rules of `#[derive(LabelValue)]`.

/// A case conversion for variant names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RenameRule {
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
    Lower,
    Upper,
    Camel,
    Pascal,
}

impl RenameRule {
    /// Every rule with its spelling in `rename_all = "..."`.
    pub(crate) const ALL: &'static [(&'static str, RenameRule)] = &[
        ("snake_case", RenameRule::Snake),
        ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
        ("kebab-case", RenameRule::Kebab),
        ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
        ("lowercase", RenameRule::Lower),
        ("UPPERCASE", RenameRule::Upper),
        ("camelCase", RenameRule::Camel),
        ("PascalCase", RenameRule::Pascal),
    ];

    pub(crate) fn from_str(s: &str) -> Option<RenameRule> {
        RenameRule::ALL.iter().find(|(name, _)| *name == s).map(|(_, rule)| *rule)
    }

    /// Applies the rule to a `PascalCase` variant name.
    pub(crate) fn apply(self, variant: &str) -> String {
        let words = words(variant);
        let join = |sep: &str, f: fn(&str) -> String| words.iter().map(|w| f(w)).collect::<Vec<_>>().join(sep);
        match self {
            RenameRule::Snake => join("_", str::to_lowercase),
            RenameRule::ScreamingSnake => join("_", str::to_uppercase),
            RenameRule::Kebab => join("-", str::to_lowercase),
            RenameRule::ScreamingKebab => join("-", str::to_uppercase),
            RenameRule::Lower => join("", str::to_lowercase),
            RenameRule::Upper => join("", str::to_uppercase),
            RenameRule::Pascal => join("", capitalize),
            RenameRule::Camel => {
                let pascal = join("", capitalize);
                let mut chars = pascal.chars();
                chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
            }
        }
    }
}

fn capitalize(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Splits `NoCapacityMemory` into `No`, `Capacity`, `Memory`; keeps acronyms
/// together (`HTTPError` is `HTTP`, `Error`) and digits with the word before.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::RenameRule::*;

    #[test]
    fn snake_case_splits_words_and_keeps_acronyms() {
        assert_eq!(Snake.apply("NoCapacityMemory"), "no_capacity_memory");
        assert_eq!(Snake.apply("HTTPError"), "http_error");
        assert_eq!(Snake.apply("NotTls"), "not_tls");
        assert_eq!(Snake.apply("Http2"), "http2");
        assert_eq!(Snake.apply("Ok"), "ok");
    }

    #[test]
    fn other_rules() {
        assert_eq!(Kebab.apply("NotTls"), "not-tls");
        assert_eq!(ScreamingSnake.apply("NotTls"), "NOT_TLS");
        assert_eq!(Lower.apply("NotTls"), "nottls");
        assert_eq!(Upper.apply("Get"), "GET");
        assert_eq!(Camel.apply("NotTls"), "notTls");
        assert_eq!(Pascal.apply("NotTls"), "NotTls");
        assert_eq!(ScreamingKebab.apply("NotTls"), "NOT-TLS");
    }
}

//! Semantic versions of metrics (rule D2), and the bump a change needs.
//!
//! ```
//! use metricate_spec::version::{Bump, Version};
//!
//! let old = Version::parse("1.4.2").unwrap();
//! let new = Version::parse("2.0.0").unwrap();
//! assert_eq!(old.bump_to(&new), Some(Bump::Major));
//! assert!(Bump::Minor < Bump::Major);
//! ```

use std::cmp::Ordering;
use std::fmt;

/// How big a change is, in semver terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    /// Nothing users can see changed.
    None,
    /// A compatible fix: help text.
    Patch,
    /// A compatible addition: a metric, a label, a label value.
    Minor,
    /// A breaking change: a removed metric, a changed type or unit, a removed
    /// or renamed label, a removed label value.
    Major,
}

impl Bump {
    /// `"none"`, `"patch"`, `"minor"` or `"major"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A semver version: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The major version.
    pub major: u64,
    /// The minor version.
    pub minor: u64,
    /// The patch version.
    pub patch: u64,
    /// The pre-release identifiers after `-`, if any.
    pub pre: Option<String>,
}

impl Version {
    /// Parses a version; `None` unless it is semver (numbers without leading
    /// zeros; dot-separated alphanumeric pre-release and build identifiers).
    pub fn parse(text: &str) -> Option<Version> {
        let (text, build) = match text.split_once('+') {
            Some((text, build)) => (text, Some(build)),
            None => (text, None),
        };
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let identifiers_ok = |s: &str| {
            s.split('.').all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        };
        if pre.is_some_and(|p| !identifiers_ok(p)) || build.is_some_and(|b| !identifiers_ok(b)) {
            return None;
        }
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0')))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };
        let mut parts = core.split('.');
        let (major, minor, patch) = (number(parts.next()?)?, number(parts.next()?)?, number(parts.next()?)?);
        if parts.next().is_some() {
            return None;
        }
        Some(Version { major, minor, patch, pre: pre.map(str::to_owned) })
    }

    /// The bump from `self` to `next`: `None` when `next` is not higher.
    pub fn bump_to(&self, next: &Version) -> Option<Bump> {
        match self.cmp_precedence(next) {
            Ordering::Less => Some(if next.major > self.major {
                Bump::Major
            } else if next.minor > self.minor {
                Bump::Minor
            } else if next.patch > self.patch {
                Bump::Patch
            } else {
                // Only the pre-release moved on.
                Bump::None
            }),
            Ordering::Equal => Some(Bump::None),
            Ordering::Greater => None,
        }
    }

    /// Semver precedence (build metadata ignored; a pre-release is lower than
    /// its release; pre-release identifiers compared as strings).
    pub fn cmp_precedence(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            }
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(pre) = &self.pre {
            write!(f, "-{pre}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_semver_only() {
        for good in ["0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-rc.1", "1.0.0+build.5", "1.0.0-x-y+z"] {
            assert!(Version::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "v1.2.3",
            "1.2.x",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            " 1.2.3",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bumps() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(v("1.2.3").bump_to(&v("1.2.4")), Some(Bump::Patch));
        assert_eq!(v("1.2.3").bump_to(&v("1.3.0")), Some(Bump::Minor));
        assert_eq!(v("1.2.3").bump_to(&v("2.0.0")), Some(Bump::Major));
        assert_eq!(v("1.2.3").bump_to(&v("1.2.3")), Some(Bump::None));
        assert_eq!(v("1.2.3").bump_to(&v("1.2.2")), None);
        assert_eq!(v("2.0.0-rc.1").bump_to(&v("2.0.0")), Some(Bump::None));
        assert_eq!(v("1.9.0").bump_to(&v("2.0.0-rc.1")), Some(Bump::Major));
        assert_eq!(v("1.0.0").to_string(), "1.0.0");
    }
}

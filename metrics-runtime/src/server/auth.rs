//! Bearer tokens: none, a fixed one, or those of a file that is re-read when
//! it changes (so a token can be rotated without a restart).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use hyper::header::{self, HeaderMap};
use subtle::ConstantTimeEq;

use super::ServerError;
use super::reload::Stamp;
use crate::self_metrics::{self, Reload, ReloadResult};

/// Which requests may read `/metrics` and `/catalog.json`.
pub(super) enum Auth {
    /// Everyone.
    Open,
    /// Requests with this token.
    Fixed(Box<[u8]>),
    /// Requests with any token of the file.
    File(TokenFile),
}

/// A token file and what it held when it was last read.
pub(super) struct TokenFile {
    path: PathBuf,
    state: Mutex<Loaded>,
}

struct Loaded {
    stamp: Option<Stamp>,
    /// Empty when the file is missing or malformed: every request is then
    /// refused until it is fixed (fail closed).
    tokens: Vec<Box<[u8]>>,
}

impl Auth {
    /// The tokens in effect at start; a token file that cannot be read or
    /// holds no valid token is an error here, not a silent lock-out.
    pub(super) fn new(token: Option<&[u8]>, file: Option<&Path>) -> Result<Auth, ServerError> {
        match (token, file) {
            (Some(_), Some(_)) => {
                Err(ServerError::Config("set `bearer_token` or `bearer_token_file`, not both".to_owned()))
            }
            (Some(token), None) => {
                check_token(token).map_err(ServerError::Config)?;
                Ok(Auth::Fixed(token.into()))
            }
            (None, Some(path)) => {
                let stamp = Stamp::of(path).ok();
                let tokens = read_tokens(path).map_err(ServerError::Config)?;
                Ok(Auth::File(TokenFile { path: path.to_owned(), state: Mutex::new(Loaded { stamp, tokens }) }))
            }
            (None, None) => Ok(Auth::Open),
        }
    }

    /// Whether the request carries an accepted token (always, when none is
    /// required). Tokens are compared in constant time.
    pub(super) fn allows(&self, headers: &HeaderMap) -> bool {
        let accepted = |tokens: &[Box<[u8]>]| {
            presented(headers).any(|given| tokens.iter().any(|token| bool::from(given.ct_eq(token))))
        };
        match self {
            Auth::Open => true,
            Auth::Fixed(token) => accepted(std::slice::from_ref(token)),
            Auth::File(file) => {
                let state = file.current();
                accepted(&state.tokens)
            }
        }
    }
}

impl TokenFile {
    /// The tokens, re-read first if the file changed since the last look
    /// (one `stat` per request).
    fn current(&self) -> std::sync::MutexGuard<'_, Loaded> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = Stamp::of(&self.path).ok();
        if stamp != state.stamp {
            state.stamp = stamp;
            match read_tokens(&self.path) {
                Ok(tokens) => {
                    state.tokens = tokens;
                    self_metrics::config_reloaded(Reload::BearerToken, ReloadResult::Ok);
                }
                Err(_) => {
                    state.tokens.clear();
                    self_metrics::config_reloaded(Reload::BearerToken, ReloadResult::Error);
                }
            }
        }
        state
    }
}

/// The tokens a request presents: every `Authorization: Bearer` value.
fn presented(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers.get_all(header::AUTHORIZATION).iter().filter_map(|value| {
        let value = value.as_bytes();
        match value.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => Some(value[7..].trim_ascii()),
            _ => None,
        }
    })
}

/// The tokens of a token file: one per non-empty line, surrounding
/// whitespace ignored. Several lines let a new token be added before the old
/// one is removed, so scrapers can switch without a failed scrape.
fn read_tokens(path: &Path) -> Result<Vec<Box<[u8]>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the bearer token file {}: {e}", path.display()))?;
    let mut tokens = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        check_token(line.as_bytes())
            .map_err(|e| format!("the bearer token file {}, line {}: {e}", path.display(), number + 1))?;
        tokens.push(line.as_bytes().into());
    }
    if tokens.is_empty() {
        return Err(format!("the bearer token file {} holds no token", path.display()));
    }
    Ok(tokens)
}

fn check_token(token: &[u8]) -> Result<(), String> {
    if token.is_empty() || !token.iter().all(u8::is_ascii_graphic) {
        return Err("the bearer token must be non-empty printable ASCII without spaces".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn with(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn fixed_tokens_are_checked() {
        let auth = Auth::new(Some(b"s3cret"), None).unwrap();
        assert!(auth.allows(&with(&["Bearer s3cret"])));
        assert!(auth.allows(&with(&["bearer  s3cret "])));
        assert!(auth.allows(&with(&["Basic x", "Bearer s3cret"])));
        for refused in ["Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "Bearer", ""] {
            assert!(!auth.allows(&with(&[refused])), "{refused:?}");
        }
        assert!(!auth.allows(&HeaderMap::new()));
        assert!(Auth::new(None, None).unwrap().allows(&HeaderMap::new()));
        for bad in [&b""[..], b"has space", b"tab\there", "\u{e9}t\u{e9}".as_bytes()] {
            assert!(Auth::new(Some(bad), None).is_err(), "{bad:?}");
        }
    }

    /// A scratch directory, removed when dropped (also when a test fails).
    struct Scratch(std::path::PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_token_file_is_reread_when_it_changes() {
        let scratch = Scratch(std::env::temp_dir().join(format!("metrics-auth-{}", std::process::id())));
        let dir = &scratch.0;
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("token");
        let replace = |text: &str| {
            // Written beside it and renamed over it, as a rotation should be.
            let next = dir.join("token.next");
            std::fs::write(&next, text).unwrap();
            std::fs::rename(&next, &path).unwrap();
        };
        replace("old-token\n");
        let auth = Auth::new(None, Some(&path)).unwrap();
        assert!(auth.allows(&with(&["Bearer old-token"])));
        replace("new-token\nold-token\n");
        assert!(auth.allows(&with(&["Bearer new-token"])) && auth.allows(&with(&["Bearer old-token"])));
        replace("  new-token  \n\n");
        assert!(auth.allows(&with(&["Bearer new-token"])));
        assert!(!auth.allows(&with(&["Bearer old-token"])));
        // Broken or gone: nobody gets in until it is fixed.
        replace("not a token\n");
        assert!(!auth.allows(&with(&["Bearer new-token"])) && !auth.allows(&with(&["Bearer not"])));
        std::fs::remove_file(&path).unwrap();
        assert!(!auth.allows(&with(&["Bearer new-token"])));
        replace("back\n");
        assert!(auth.allows(&with(&["Bearer back"])));
        // At start, a bad file is an error that says what is wrong.
        replace("\n \n");
        let Err(ServerError::Config(message)) = Auth::new(None, Some(&path)) else { panic!("accepted") };
        assert!(message.ends_with("holds no token"), "{message}");
        let Err(ServerError::Config(message)) = Auth::new(None, Some(&dir.join("missing"))) else { panic!() };
        assert!(message.starts_with("cannot read the bearer token file"), "{message}");
        replace("a b\n");
        let Err(ServerError::Config(message)) = Auth::new(None, Some(&path)) else { panic!() };
        assert!(message.contains("line 1: the bearer token must be"), "{message}");
    }
}

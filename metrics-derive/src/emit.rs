//! Output written as Rust source text and lexed once, where spans do not
//! matter.
//!
//! Most of what the derives emit needs no span of the input: it cannot fail
//! to compile once the input has been checked. Building it token by token
//! with `quote!` runs unoptimised code (proc macros build without
//! optimisation by default) and crosses the compiler's proc-macro bridge
//! once per token; writing it as text with `std::fmt` (optimised) and lexing
//! it in one call is several times cheaper, which every build of every crate
//! that declares metrics pays for. What does need a span (a type rustc may
//! reject, a field a const evaluation fails at) is still built with
//! `quote_spanned!` and placed in between.

use std::fmt::Write as _;

use proc_macro2::TokenStream;

/// Source text and tokens, in order.
#[derive(Default)]
pub(crate) struct Out {
    tokens: TokenStream,
    text: String,
}

impl Out {
    /// Appends formatted source text (any complete run of tokens: every
    /// bracket it opens, it closes).
    pub(crate) fn fmt(&mut self, args: std::fmt::Arguments<'_>) -> &mut Self {
        let _ = self.text.write_fmt(args);
        self
    }

    /// Appends tokens.
    pub(crate) fn tokens(&mut self, tokens: TokenStream) -> &mut Self {
        self.flush();
        self.tokens.extend(tokens);
        self
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.tokens.extend(lex(&self.text));
            self.text.clear();
        }
    }

    /// Everything appended, as tokens.
    pub(crate) fn finish(mut self) -> TokenStream {
        self.flush();
        self.tokens
    }
}

/// `text` as tokens: lexed by the compiler itself inside a proc macro
/// (`proc_macro2`'s `FromStr` first checks the text with a lexer of its own,
/// unoptimised, which costs more than everything else the derives do), by
/// `proc_macro2` elsewhere (unit tests). The text is this crate's own, built
/// from checked input, so it lexes; if it did not, the error says so.
pub(crate) fn lex(text: &str) -> TokenStream {
    let lexed = if proc_macro::is_available() {
        text.parse::<proc_macro::TokenStream>().map(TokenStream::from).map_err(|e| e.to_string())
    } else {
        text.parse::<TokenStream>().map_err(|e| e.to_string())
    };
    lexed.unwrap_or_else(|e| {
        let message = format!("metricate-derive wrote code that does not lex ({e}): {text}");
        quote::quote!(::core::compile_error!(#message);)
    })
}

/// A string literal of `value`.
pub(crate) fn string(value: &str) -> String {
    format!("{value:?}")
}

/// An `f64` literal of `value` (finite), which reads back as the same value.
pub(crate) fn float(value: f64) -> String {
    format!("{value:?}f64")
}

/// `::core::option::Option::Some(inner)`, or `None` without one.
pub(crate) fn option(inner: Option<String>) -> String {
    match inner {
        Some(inner) => format!("::core::option::Option::Some({inner})"),
        None => "::core::option::Option::None".to_owned(),
    }
}

/// Tokens as source text.
pub(crate) fn source(tokens: &impl quote::ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

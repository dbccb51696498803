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
//! reject, a field a const evaluation fails at) is lexed the same way and
//! then given its span ([`Spanned`]), or built with `quote_spanned!` where it
//! holds the input's own tokens.

use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream};

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

/// Items, each written as text and given a span: where rustc reports what
/// fails in it. Each item ends at its only `;` outside brackets (`static ..;`,
/// `const _: .. = ..;`). All are lexed in one call, as [`lex`] does (a call
/// costs more than a short item), and each token's span set in place,
/// crossing the bridge once per group instead of once per token. The
/// contents of parentheses keep the call site's span (the parentheses
/// themselves get the item's): they hold a call's arguments, and rustc
/// reports a call (a failed const evaluation) over its path and parentheses,
/// so walking into them would cost without moving any report. Braces are
/// walked into: a const block's contents are where bounds are checked. What
/// follows them keeps the call site's span and is lexed in a call of its
/// own, so that respanning walks only the items (handing a token to the
/// compiler and back costs more than lexing it). Spans exist only inside a
/// proc macro; elsewhere (unit tests) this is [`lex`].
#[derive(Default)]
pub(crate) struct Spanned {
    text: String,
    spans: Vec<Span>,
}

impl Spanned {
    /// Appends an item, at `span`.
    pub(crate) fn item(&mut self, span: Span, args: std::fmt::Arguments<'_>) {
        let _ = self.text.write_fmt(args);
        self.text.push('\n');
        self.spans.push(span);
    }

    /// The items, as tokens, and after them `rest` (any complete run of
    /// tokens) at the call site.
    pub(crate) fn finish(self, rest: &str) -> TokenStream {
        fn respan(tokens: proc_macro::TokenStream, span: proc_macro::Span) -> proc_macro::TokenStream {
            tokens.into_iter().map(|tree| respan_tree(tree, span)).collect()
        }
        fn respan_tree(mut tree: proc_macro::TokenTree, span: proc_macro::Span) -> proc_macro::TokenTree {
            if let proc_macro::TokenTree::Group(group) = &tree
                && group.delimiter() == proc_macro::Delimiter::Brace
            {
                tree = proc_macro::Group::new(group.delimiter(), respan(group.stream(), span)).into();
            }
            tree.set_span(span);
            tree
        }
        let Spanned { text, spans } = self;
        let (mut tokens, rest) = (lex(&text), lex(rest));
        if !proc_macro::is_available() {
            tokens.extend([rest]);
            return tokens;
        }
        let spans: Vec<proc_macro::Span> = spans.iter().map(|s| s.unwrap()).collect();
        let mut item = 0;
        let tokens: proc_macro::TokenStream = proc_macro::TokenStream::from(tokens)
            .into_iter()
            .map(|tree| match spans.get(item) {
                Some(&span) => {
                    item += usize::from(matches!(&tree, proc_macro::TokenTree::Punct(p) if p.as_char() == ';'));
                    respan_tree(tree, span)
                }
                None => tree,
            })
            .collect();
        let mut tokens = TokenStream::from(tokens);
        tokens.extend([rest]);
        tokens
    }
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

/// Tokens as a person writes them: `Agent::global().boots_in_flight`, not
/// `Agent :: global () . boots_in_flight`.
pub(crate) fn written(tokens: &impl quote::ToTokens) -> String {
    tidy(&source(tokens))
}

/// Source text printed from tokens ([`source`]) without the spaces a person
/// would not write: around `::`, `.`, brackets, `<` and `>`, before `,` and
/// after `&`.
pub(crate) fn tidy(text: &str) -> String {
    let mut text = text.to_owned();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" . ", "."),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" [", "["),
        ("[ ", "["),
        (" ]", "]"),
        (" ,", ","),
        (" : ", ": "),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        ("& ", "&"),
    ] {
        text = text.replace(from, to);
    }
    text
}

//! Reading a derive's input: the shapes nearly every declaration has, read
//! directly from its tokens, and `syn` for everything else.
//!
//! Proc macros build without optimisation by default, and `syn`'s general
//! parser, at that level, was the largest single cost of the derives (a
//! third of a small label enum's expansion). The declarations of a service are almost
//! all of one shape: doc comments and plain attributes, `pub` or nothing,
//! no generics, named fields whose types are paths (`Family<Request,
//! Counter>`), unit variants. [`derive_input`] reads that shape itself and
//! builds the same `syn::DeriveInput` `syn` would, with the same tokens and
//! spans; at the first token outside it, it leaves the whole input to `syn`,
//! so anything else, and every error, is `syn`'s as before. The unit tests
//! compare both on the shapes read here, and check that the reader leaves
//! the others to `syn`.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::token;

/// The derive input in `tokens`, as `syn::parse2::<syn::DeriveInput>` reads it.
pub(crate) fn derive_input(tokens: TokenStream) -> syn::Result<syn::DeriveInput> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    match Reader::new(&trees).derive_input() {
        Some(input) => Ok(input),
        None => syn::parse2(tokens),
    }
}

/// The span of `ty` as `syn::spanned::Spanned` gives it on a stable
/// compiler (where spans do not join): its first token's. A path type's is
/// read off its first segment instead of printing the whole type to tokens.
pub(crate) fn type_span(ty: &syn::Type) -> proc_macro2::Span {
    use syn::spanned::Spanned;
    match ty {
        syn::Type::Path(syn::TypePath { qself: None, path }) => match (&path.leading_colon, path.segments.first()) {
            (Some(colon), _) => colon.spans[0],
            (None, Some(first)) => first.ident.span(),
            (None, None) => ty.span(),
        },
        _ => ty.span(),
    }
}

/// A cursor over one level of tokens. Every method returns `None` at a
/// token outside the shapes read here.
struct Reader<'a> {
    trees: &'a [TokenTree],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(trees: &'a [TokenTree]) -> Reader<'a> {
        Reader { trees, at: 0 }
    }

    fn peek(&self) -> Option<&'a TokenTree> {
        self.trees.get(self.at)
    }

    fn next(&mut self) -> Option<&'a TokenTree> {
        let tree = self.trees.get(self.at)?;
        self.at += 1;
        Some(tree)
    }

    fn is_empty(&self) -> bool {
        self.at == self.trees.len()
    }

    fn peek_punct(&self, c: char) -> Option<&'a Punct> {
        match self.peek()? {
            TokenTree::Punct(p) if p.as_char() == c => Some(p),
            _ => None,
        }
    }

    fn punct(&mut self, c: char) -> Option<&'a Punct> {
        let p = self.peek_punct(c)?;
        self.at += 1;
        Some(p)
    }

    /// An identifier (keywords included).
    fn ident(&mut self) -> Option<&'a Ident> {
        match self.peek()? {
            TokenTree::Ident(i) => {
                self.at += 1;
                Some(i)
            }
            _ => None,
        }
    }

    fn group(&mut self, delimiter: Delimiter) -> Option<&'a Group> {
        match self.peek()? {
            TokenTree::Group(g) if g.delimiter() == delimiter => {
                self.at += 1;
                Some(g)
            }
            _ => None,
        }
    }

    /// `::`, as the two puncts the compiler hands over.
    fn path_sep(&mut self) -> Option<token::PathSep> {
        let first = self.peek_punct(':')?;
        let second = match self.trees.get(self.at + 1)? {
            TokenTree::Punct(p) if first.spacing() == Spacing::Joint && p.as_char() == ':' => p,
            _ => return None,
        };
        self.at += 2;
        Some(token::PathSep { spans: [first.span(), second.span()] })
    }

    fn derive_input(&mut self) -> Option<syn::DeriveInput> {
        let attrs = self.outer_attrs()?;
        let vis = self.visibility()?;
        let keyword = self.ident()?;
        let ident = self.ident()?.clone();
        let body = self.group(Delimiter::Brace)?;
        if !self.is_empty() {
            return None;
        }
        let inner: Vec<TokenTree> = body.stream().into_iter().collect();
        let brace_token = token::Brace { span: body.delim_span() };
        let data = match keyword.to_string().as_str() {
            "struct" => syn::Data::Struct(syn::DataStruct {
                struct_token: token::Struct { span: keyword.span() },
                fields: syn::Fields::Named(syn::FieldsNamed { brace_token, named: Reader::new(&inner).fields()? }),
                semi_token: None,
            }),
            "enum" => syn::Data::Enum(syn::DataEnum {
                enum_token: token::Enum { span: keyword.span() },
                brace_token,
                variants: Reader::new(&inner).variants()?,
            }),
            _ => return None,
        };
        Some(syn::DeriveInput { attrs, vis, ident, generics: syn::Generics::default(), data })
    }

    /// `#[path]`, `#[path = literal]` and `#[path(..)]` (also `[..]`, `{..}`)
    /// with a one-identifier path: doc comments and the derives' own
    /// attributes.
    fn outer_attrs(&mut self) -> Option<Vec<syn::Attribute>> {
        let mut attrs = Vec::new();
        while let Some(pound) = self.peek_punct('#') {
            self.at += 1;
            let bracket = self.group(Delimiter::Bracket)?;
            let inner: Vec<TokenTree> = bracket.stream().into_iter().collect();
            attrs.push(syn::Attribute {
                pound_token: token::Pound { spans: [pound.span()] },
                style: syn::AttrStyle::Outer,
                bracket_token: token::Bracket { span: bracket.delim_span() },
                meta: Reader::new(&inner).meta()?,
            });
        }
        Some(attrs)
    }

    fn meta(&mut self) -> Option<syn::Meta> {
        let name = self.ident()?;
        if name == "unsafe" {
            return None;
        }
        let path = syn::Path::from(name.clone());
        let meta = match self.peek() {
            None => syn::Meta::Path(path),
            Some(TokenTree::Group(group)) => {
                let span = group.delim_span();
                let delimiter = match group.delimiter() {
                    Delimiter::Parenthesis => syn::MacroDelimiter::Paren(token::Paren { span }),
                    Delimiter::Bracket => syn::MacroDelimiter::Bracket(token::Bracket { span }),
                    Delimiter::Brace => syn::MacroDelimiter::Brace(token::Brace { span }),
                    Delimiter::None => return None,
                };
                self.at += 1;
                syn::Meta::List(syn::MetaList { path, delimiter, tokens: group.stream() })
            }
            Some(TokenTree::Punct(eq)) if eq.as_char() == '=' && eq.spacing() == Spacing::Alone => {
                self.at += 1;
                let Some(TokenTree::Literal(literal)) = self.next() else { return None };
                syn::Meta::NameValue(syn::MetaNameValue {
                    path,
                    eq_token: token::Eq { spans: [eq.span()] },
                    value: syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::Lit::new(literal.clone()) }),
                })
            }
            Some(_) => return None,
        };
        self.is_empty().then_some(meta)
    }

    /// `pub` or nothing (`pub(..)` is left to `syn`).
    fn visibility(&mut self) -> Option<syn::Visibility> {
        match self.peek() {
            Some(TokenTree::Ident(i)) if i == "pub" => {
                self.at += 1;
                if matches!(self.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis) {
                    return None;
                }
                Some(syn::Visibility::Public(token::Pub { span: i.span() }))
            }
            _ => Some(syn::Visibility::Inherited),
        }
    }

    /// `name: Type,` fields.
    fn fields(&mut self) -> Option<Punctuated<syn::Field, token::Comma>> {
        let mut fields = Punctuated::new();
        while !self.is_empty() {
            let attrs = self.outer_attrs()?;
            let vis = self.visibility()?;
            let ident = self.ident()?.clone();
            let colon = self.punct(':')?;
            if colon.spacing() == Spacing::Joint {
                return None;
            }
            let ty = self.path_type()?;
            fields.push_value(syn::Field {
                attrs,
                vis,
                mutability: syn::FieldMutability::None,
                ident: Some(ident),
                colon_token: Some(token::Colon { spans: [colon.span()] }),
                ty,
            });
            if !self.is_empty() {
                fields.push_punct(token::Comma { spans: [self.punct(',')?.span()] });
            }
        }
        Some(fields)
    }

    /// Unit variants, with attributes.
    fn variants(&mut self) -> Option<Punctuated<syn::Variant, token::Comma>> {
        let mut variants = Punctuated::new();
        while !self.is_empty() {
            let attrs = self.outer_attrs()?;
            let ident = self.ident()?;
            if ident == "pub" {
                return None;
            }
            variants.push_value(syn::Variant {
                attrs,
                ident: ident.clone(),
                fields: syn::Fields::Unit,
                discriminant: None,
            });
            if !self.is_empty() {
                variants.push_punct(token::Comma { spans: [self.punct(',')?.span()] });
            }
        }
        Some(variants)
    }

    /// A path type: `a::B<C, D<E>>`, with type arguments that are path
    /// types themselves.
    fn path_type(&mut self) -> Option<syn::Type> {
        let leading_colon = if self.peek_punct(':').is_some() { Some(self.path_sep()?) } else { None };
        let mut segments = Punctuated::new();
        loop {
            let ident = self.ident()?;
            if matches!(ident.to_string().as_str(), "dyn" | "impl" | "fn" | "for" | "unsafe" | "extern" | "_") {
                return None;
            }
            let arguments = match self.peek_punct('<') {
                Some(lt) => {
                    self.at += 1;
                    let mut args = Punctuated::new();
                    let gt = loop {
                        args.push_value(syn::GenericArgument::Type(self.path_type()?));
                        if let Some(gt) = self.peek_punct('>') {
                            self.at += 1;
                            break gt;
                        }
                        args.push_punct(token::Comma { spans: [self.punct(',')?.span()] });
                        if let Some(gt) = self.peek_punct('>') {
                            self.at += 1;
                            break gt;
                        }
                    };
                    syn::PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
                        colon2_token: None,
                        lt_token: token::Lt { spans: [lt.span()] },
                        args,
                        gt_token: token::Gt { spans: [gt.span()] },
                    })
                }
                None => syn::PathArguments::None,
            };
            segments.push_value(syn::PathSegment { ident: ident.clone(), arguments });
            if self.peek_punct(':').is_none() {
                break;
            }
            segments.push_punct(self.path_sep()?);
        }
        Some(syn::Type::Path(syn::TypePath { qself: None, path: syn::Path { leading_colon, segments } }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the fast reader makes of `source`, if it reads it, and `syn`'s
    /// reading.
    fn both(source: &str) -> (Option<syn::DeriveInput>, syn::Result<syn::DeriveInput>) {
        let tokens: TokenStream = source.parse().unwrap();
        let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
        (Reader::new(&trees).derive_input(), syn::parse2(tokens))
    }

    #[test]
    fn the_common_shapes_are_read_as_syn_reads_them() {
        for source in [
            "/// The operation.\n#[derive(Clone)]\npub enum Op { Read, Write, #[label(rename = \"del\")] Delete, }",
            "enum Empty {}",
            "enum One { A }",
            "#[label(quiet)] struct Request { pub op: Op, outcome: crate::labels::Outcome }",
            "#[metrics(subsystem = \"s00\", crate = \"::m\")]\npub struct S00 {\n/// Requests.\n#[metric(buckets = [0.1, 1.0])]\npub requests_total: Family<Request, Counter>,\n/// Depth.\npub queue_depth: ::metricate::IntGauge,\nr#type: StateSet<a::b::Mode>,\nnested: Family<Set, Family<A, B>>,\ntrailing: Info<L,>\n}",
            "#[doc = 1] #[a = 'c'] #[b[x]] #[c{y}] #[path] struct Attrs { a: A }",
        ] {
            let (fast, syn) = both(source);
            let fast = fast.unwrap_or_else(|| panic!("not read: {source}"));
            assert_eq!(fast, syn.unwrap(), "{source}");
        }
    }

    #[test]
    fn a_types_span_is_its_first_tokens() {
        // (Outside a proc macro spans join, so `Spanned` would cover the
        // whole type here; the compiler's do not.)
        for source in ["A", "a::B<C>", "::m::Counter", "Family<L, Counter>"] {
            let ty: syn::Type = syn::parse_str(source).unwrap();
            let first = quote::ToTokens::to_token_stream(&ty).into_iter().next().unwrap().span();
            assert_eq!(format!("{:?}", type_span(&ty)), format!("{first:?}"), "{source}");
        }
        // Other types: `Spanned`'s.
        for source in ["&'static str", "[u8; 4]", "<T as X>::Y"] {
            let ty: syn::Type = syn::parse_str(source).unwrap();
            let spanned = syn::spanned::Spanned::span(&ty);
            assert_eq!(format!("{:?}", type_span(&ty)), format!("{spanned:?}"), "{source}");
        }
    }

    #[test]
    fn every_other_shape_is_left_to_syn() {
        for source in [
            "struct Generic<T> { a: T }",
            "struct Where where Self: Sized { a: A }",
            "pub(crate) struct Restricted { a: A }",
            "struct Field { pub(crate) a: A }",
            "struct Tuple(A, B);",
            "struct Unit;",
            "union U { a: A }",
            "enum Data { A(u8), B { x: u8 } }",
            "enum Discriminant { A = 1 }",
            "struct Refs { a: &'static str }",
            "struct Lifetime { a: Cow<'static, str> }",
            "struct Array { a: [u8; 4] }",
            "struct Tuple { a: (A, B) }",
            "struct Dyn { a: Box<dyn Trait> }",
            "struct Assoc { a: <T as Trait>::X }",
            "struct Const { a: Foo<3> }",
            "struct Binding { a: Foo<Item = A> }",
            "struct Fn { a: Box<Fn(A) -> B> }",
            "struct Macro { a: m!(A) }",
            "struct Colon2 { a: Foo::<A> }",
            "#[a::b] struct PathAttr { a: A }",
            "#[a = -1] struct Negative { a: A }",
            "#[a = true] struct Bool { a: A }",
            "#[a = b + c] struct Expr { a: A }",
            "#[a b] struct Junk { a: A }",
            "#![inner] struct Inner { a: A }",
            "#[unsafe(no_mangle)] struct Unsafe { a: A }",
            "struct Missing { a }",
            "struct Double { a: A,, }",
        ] {
            let (fast, _) = both(source);
            assert!(fast.is_none(), "read, though it is not one of the shapes: {source}");
        }
    }
}

//! `check_constant_label_names!(a, b, ..)`: the names of
//! `metricate::constant_labels!`, checked by L1 to L3 with the crate's
//! policy, each violation at its name. Expands to the policy's file
//! tracking only.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;

use metricate_spec::rules;

use crate::ctxt::Ctxt;
use crate::policy;

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let policy = policy::load(&cx);
    match Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated.parse2(input) {
        Ok(names) => {
            for (i, name) in names.iter().enumerate() {
                let text = name.to_string();
                let text = text.strip_prefix("r#").unwrap_or(&text);
                for violation in rules::check_label_name(text, &policy) {
                    cx.error_spanned_by(name, violation);
                }
                let unraw = |ident: &syn::Ident| ident.to_string().trim_start_matches("r#").to_owned();
                if names.iter().take(i).any(|earlier| unraw(earlier) == text) {
                    cx.error_spanned_by(
                        name,
                        format_args!("constant label `{text}` is given twice\n= help: give each constant label once"),
                    );
                }
            }
        }
        Err(error) => cx.push(error),
    }
    let tracking = cx.take_tracking();
    match cx.check() {
        Ok(()) => tracking,
        Err(errors) => {
            // The tracking still goes out: it is emitted once per crate.
            let errors = errors.to_compile_error();
            quote::quote!(#errors #tracking)
        }
    }
}

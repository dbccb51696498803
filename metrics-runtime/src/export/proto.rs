//! Protobuf messages as `prost` structs, written out here so that no
//! `protoc` is needed: each sink that speaks protobuf declares the messages
//! it sends and reads with [`messages!`].

/// Declares protobuf messages as `prost` structs, each field as in its
/// `.proto` file: `tag name: Type = kind..`, where the kinds are the words of
/// the field's `#[prost(..)]` attribute besides its tag (`message repeated`,
/// `double optional`, `fixed64`). A message is one line where it fits, as
/// rustfmt writes a struct literal, and a line per field where it does not.
/// Each struct's doc names its message. A field of a `oneof` is written out
/// by hand.
macro_rules! messages {
    ($(
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$field_meta:meta])* $tag:literal $field:ident : $ty:ty = $($kind:ident)+ ),* $(,)?
        }
    )*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` message.")]
            $(#[$meta])*
            #[derive(Clone, PartialEq, prost::Message)]
            pub(crate) struct $name {
                $( $(#[$field_meta])* #[prost($($kind,)+ tag = $tag)] pub(crate) $field: $ty, )*
            }
        )*
    };
}

pub(super) use messages;

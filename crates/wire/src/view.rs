//! The common part of the per-protocol header views.
//!
//! Every view is a `Packet<T: AsRef<[u8]>>` over a borrowed or owned buffer
//! with the same `new_unchecked`, `new_checked` and `into_inner` (see
//! "Contract of the views" in the crate documentation); only `check_len`
//! differs. [`header_view!`] declares the struct and those methods. A view
//! of a fixed-length header gets its `check_len` from the macro too; a view
//! whose length depends on its contents (LLC, IGMP, MLD) writes its own,
//! usually with [`check_min_len`].

use crate::error::{truncated, Layer, Result};

/// `Ok` when `buffer` holds at least `needed` octets; otherwise a
/// truncation error of `layer` at offset 0.
#[inline]
pub(crate) fn check_min_len(buffer: &[u8], layer: Layer, needed: usize) -> Result<()> {
    let len = buffer.len();
    if len < needed {
        return Err(truncated(layer, 0, needed, len));
    }
    Ok(())
}

/// Declares a header view `pub struct Name<T: AsRef<[u8]>> { buffer: T }`
/// with `new_unchecked`, `new_checked` and `into_inner`.
///
/// With a trailing `check_len: layer, header_len;` (after the doc comment
/// of `check_len`) it also declares a `check_len` that requires
/// `header_len` octets; without it the module declares `check_len` itself.
///
/// ```text
/// header_view! {
///     /// A read-only view of a NULL / LOOP header.
///     pub struct Packet<T>;
///     /// Checks that the buffer holds the whole header; after this no accessor panics.
///     check_len: Layer::Link, HEADER_LEN;
/// }
/// ```
macro_rules! header_view {
    (
        $(#[$attr:meta])*
        pub struct $name:ident<T>;
        $(#[$check_attr:meta])*
        check_len: $layer:expr, $header_len:expr;
    ) => {
        $crate::view::header_view! {
            $(#[$attr])*
            pub struct $name<T>;
        }

        impl<T: AsRef<[u8]>> $name<T> {
            $(#[$check_attr])*
            pub fn check_len(&self) -> $crate::error::Result<()> {
                $crate::view::check_min_len(self.buffer.as_ref(), $layer, $header_len)
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident<T>;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $name<T> {
            /// Wraps a buffer without checking its length.
            #[inline]
            pub const fn new_unchecked(buffer: T) -> $name<T> {
                $name { buffer }
            }

            #[doc = concat!(
                "Wraps a buffer after [`",
                stringify!($name),
                "::check_len`](Self::check_len)."
            )]
            pub fn new_checked(buffer: T) -> $crate::error::Result<$name<T>> {
                let packet = Self::new_unchecked(buffer);
                packet.check_len()?;
                Ok(packet)
            }

            /// Returns the underlying buffer.
            #[inline]
            pub fn into_inner(self) -> T {
                self.buffer
            }
        }
    };
}

pub(crate) use header_view;

//! Enums that the database stores as text: each variant's stored name, and parsing it back.

/// Declares an enum whose variants the database stores as the given names, with `as_str` and
/// `parse`. The schema's check constraints allow the same names and no other.
///
/// ```ignore
/// stored_enum! {
///     /// What a member may do in their organization.
///     pub enum Role { Member = "member", GlobalAdmin = "global_admin" }
/// }
/// ```
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $stored:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name the database stores.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored),+
                }
            }

            /// The variant with this stored name.
            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|variant| variant.as_str() == value)
            }

            /// A value read from the database: one the schema should not have allowed is an
            /// internal error, logged.
            #[cfg(feature = "ssr")]
            pub fn stored(value: &str) -> Result<Self, $crate::core::error::AppError> {
                Self::parse(value).ok_or_else(|| {
                    tracing::error!(
                        value,
                        kind = stringify!($name),
                        "unknown value in the database"
                    );
                    $crate::core::error::AppError::Internal
                })
            }
        }
    };
}
pub(crate) use stored_enum;

#[cfg(test)]
mod tests {
    stored_enum! {
        /// A test enum.
        pub enum Colour { Red = "red", DarkBlue = "dark_blue" }
    }

    #[test]
    fn every_variant_parses_back_from_its_stored_name() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(*colour));
        }
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!(Colour::parse("Red"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_stored_name_the_schema_does_not_allow_is_an_internal_error() {
        assert_eq!(Colour::stored("red"), Ok(Colour::Red));
        assert_eq!(
            Colour::stored("purple"),
            Err(crate::core::error::AppError::Internal)
        );
    }
}

//! Identifiers of workspace things: personas, maps, stages, touchpoints, teams, catalogue entries.
//!
//! An id is lowercase ASCII letters, digits, `-` and `_`, starting with a letter or digit. That
//! keeps ids safe as file names and URL segments, and stable when a display name is translated.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid id `{id}`: use lowercase letters a-z, digits, `-` and `_`, starting with a letter or digit"
)]
pub struct InvalidId {
    /// The rejected text.
    pub id: String,
}

/// Whether `s` is a valid id.
#[must_use]
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Turns any display text into an id: lowercased, Finnish and Swedish letters folded
/// (ä→a, ö→o, å→a), other runs of characters joined by `-`.
///
/// ```
/// assert_eq!(polku_model::slugify("Ostopäätös & maksu"), "ostopaatos-maksu");
/// ```
#[must_use]
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(folded);
        } else {
            dash = true;
        }
    }
    if out.is_empty() { "x".to_owned() } else { out }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(String);

        impl $name {
            /// Makes an id, checking its characters.
            ///
            /// # Errors
            /// When `id` is not a valid id (see the module docs).
            pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
                let id = id.into();
                if is_valid_id(&id) { Ok(Self(id)) } else { Err(InvalidId { id }) }
            }

            /// The id as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the id is unset (defaulted from a file name later).
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The id of a persona.
    PersonaId
);
id_type!(
    /// The id of a journey map.
    MapId
);
id_type!(
    /// The id of a stage.
    StageId
);
id_type!(
    /// The id of a touchpoint within a map.
    TouchpointId
);
id_type!(
    /// The id of a team.
    TeamId
);
id_type!(
    /// The id of an entry of the touchpoint catalogue.
    CatalogueId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_only_safe_characters() {
        assert!(is_valid_id("hr-hanna"));
        assert!(is_valid_id("q7_2"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id("Hanna"));
        assert!(!is_valid_id("hänna"));
        assert!(!is_valid_id("a b"));
    }

    #[test]
    fn slugify_folds_nordic_letters_and_joins_words() {
        assert_eq!(slugify("Tietoisuus"), "tietoisuus");
        assert_eq!(slugify("  Go to work!  "), "go-to-work");
        assert_eq!(slugify("Åland öljy"), "aland-oljy");
        assert_eq!(slugify("???"), "x");
        assert!(is_valid_id(&slugify("Älä ÖÖ 12 --")));
    }
}

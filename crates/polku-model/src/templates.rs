//! Starter workspaces: a B2B service and a B2C purchase, each in Finnish and English.
//!
//! A template is a complete, valid workspace (`polku.yaml`, personas, a map per persona and a
//! future-state map) kept as YAML under `templates/KIND/LANG/` in this crate and compiled in.
//! The same files are the bundled examples that `polku demo` renders.

use crate::types::Language;

include!(concat!(env!("OUT_DIR"), "/template_files.rs"));

/// Which starter workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    /// A B2B service bought by a small company.
    B2b,
    /// A B2C clothing purchase.
    B2c,
}

impl TemplateKind {
    /// Every template.
    pub const ALL: [TemplateKind; 2] = [TemplateKind::B2b, TemplateKind::B2c];

    /// The template's name, as given to `polku init --template`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::B2b => "b2b",
            TemplateKind::B2c => "b2c",
        }
    }
}

impl std::str::FromStr for TemplateKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "b2b" => Ok(TemplateKind::B2b),
            "b2c" => Ok(TemplateKind::B2c),
            other => Err(format!("unknown template `{other}`: use `b2b` or `b2c`")),
        }
    }
}

/// The files of a template as (path inside the workspace, contents), e.g.
/// `("personas/hr-hanna.yaml", "...")`.
#[must_use]
pub fn template_files(kind: TemplateKind, lang: Language) -> Vec<(&'static str, &'static str)> {
    let prefix = format!("{}/{}/", kind.as_str(), lang.code());
    TEMPLATE_FILES
        .iter()
        .filter_map(|(path, text)| path.strip_prefix(prefix.as_str()).map(|rel| (rel, *text)))
        .collect()
}

/// A bundled fixture that is not a workspace file, e.g. Mermaid's "My working day" example.
#[must_use]
pub fn fixture(name: &str) -> Option<&'static str> {
    TEMPLATE_FILES
        .iter()
        .find(|(path, _)| path.strip_prefix("fixtures/") == Some(name))
        .map(|(_, text)| *text)
}

//! Mermaid `journey` diagrams to and from journey maps.
//!
//! ```text
//! journey
//!     title My working day
//!     section Go to work
//!       Make tea: 5: Me
//! ```
//!
//! Sections become stages and tasks become actions (steps) with their score and actors.
//! Mermaid scores run 1..5 with 3 as neutral; a map's emotions run −3..+3, so a score `s` is
//! read as emotion `s − 3` and an emotion `e` is written as score `clamp(e + 3, 1, 5)`. Reading
//! and writing are inverse on everything Mermaid can say, so export → import → export gives the
//! same text.

use crate::source::{Diagnostic, Position};
use crate::types::{JourneyMap, MapKind, Persona, Stage, Step, WorkspaceConfig};
use crate::{MapId, PersonaId, StageId, slugify};

/// The lowest Mermaid task score.
const SCORE_MIN: i64 = 1;
/// The highest Mermaid task score.
const SCORE_MAX: i64 = 5;
/// The Mermaid score that means neutral (emotion 0).
const SCORE_NEUTRAL: i64 = 3;

/// Choices for [`import`] that the diagram itself cannot carry.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The map's id; defaults to the title made into an id.
    pub id: Option<MapId>,
    /// The persona whose journey it is.
    pub persona: Option<PersonaId>,
    /// The kind of map; Mermaid does not say.
    pub kind: MapKind,
}

/// Reads a Mermaid `journey` diagram (optionally inside a ```` ```mermaid ```` fence).
///
/// A section whose name or id matches a stage of `config` becomes that stage; any other
/// section becomes a stage of the map's own, named as in the diagram.
///
/// # Errors
/// The first line that is not valid `journey` syntax, with its line and column in `file`.
pub fn import(
    file: &str,
    text: &str,
    config: &WorkspaceConfig,
    options: &ImportOptions,
) -> Result<JourneyMap, Diagnostic> {
    let err = |line: usize, column: usize, msg: String| {
        Diagnostic::error(file, Position { line, column }, msg)
    };
    let mut map = JourneyMap {
        kind: options.kind,
        persona: options.persona.clone(),
        ..JourneyMap::default()
    };
    let mut seen_header = false;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let indent = raw.len() - raw.trim_start().len();
        let column = raw[..indent].chars().count() + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with("%%") || line.starts_with("```") {
            continue;
        }
        if !seen_header {
            if line == "journey" {
                seen_header = true;
                continue;
            }
            return Err(err(
                line_no,
                column,
                format!(
                    "expected `journey`, found `{line}`: this is not a Mermaid journey diagram"
                ),
            ));
        }
        if let Some(title) = keyword(line, "title") {
            map.title = title.to_owned();
        } else if let Some(descr) = line
            .strip_prefix("accDescr")
            .and_then(|r| r.trim_start().strip_prefix(':'))
        {
            map.description = Some(descr.trim().to_owned());
        } else if line.starts_with("accTitle") {
            // An accessibility title repeats the title for screen readers; the map's title serves.
        } else if let Some(name) = keyword(line, "section") {
            map.stages.push(stage_for_section(name, config));
        } else if let Some((task, rest)) = line.split_once(':') {
            let (score_text, actors) = rest.split_once(':').unwrap_or((rest, ""));
            let score_col = column
                + task.chars().count()
                + 1
                + (score_text.len() - score_text.trim_start().len());
            let score: i64 = score_text.trim().parse().map_err(|_| {
                err(line_no, score_col, format!("the score of task `{}` is `{}`, not a number from {SCORE_MIN} to {SCORE_MAX}", task.trim(), score_text.trim()))
            })?;
            if !(SCORE_MIN..=SCORE_MAX).contains(&score) {
                return Err(err(
                    line_no,
                    score_col,
                    format!(
                        "score {score} of task `{}` is outside Mermaid's scale {SCORE_MIN}..{SCORE_MAX}",
                        task.trim()
                    ),
                ));
            }
            if map.stages.is_empty() {
                return Err(err(
                    line_no,
                    column,
                    format!(
                        "task `{}` comes before any `section`: put it under a section",
                        task.trim()
                    ),
                ));
            }
            let step = Step {
                text: task.trim().to_owned(),
                emotion: Some(i8::try_from(score - SCORE_NEUTRAL).expect("a score of 1..5 fits")),
                actors: actors
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect(),
                evidence: Vec::new(),
            };
            map.stages
                .last_mut()
                .expect("checked above")
                .actions
                .push(step);
        } else {
            return Err(err(
                line_no,
                column,
                format!(
                    "cannot read `{line}`: expected `title`, `section NAME` or a task `TEXT: SCORE: ACTORS`"
                ),
            ));
        }
    }
    if !seen_header {
        return Err(err(
            1,
            1,
            "the file is empty: a Mermaid journey starts with `journey`".to_owned(),
        ));
    }
    map.id = match &options.id {
        Some(id) => id.clone(),
        None => MapId::new(slugify(if map.title.is_empty() {
            "journey"
        } else {
            &map.title
        }))
        .expect("slugify makes valid ids"),
    };
    if map.title.is_empty() {
        map.title = map.id.to_string();
    }
    Ok(map)
}

fn keyword<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    line.strip_prefix(word)
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        .map(str::trim)
}

fn stage_for_section(name: &str, config: &WorkspaceConfig) -> Stage {
    let known = config
        .stages
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name) || s.id.as_str().eq_ignore_ascii_case(name));
    match known {
        Some(def) => Stage {
            stage: def.id.clone(),
            ..Stage::default()
        },
        None => Stage {
            stage: StageId::new(slugify(name)).expect("slugify makes valid ids"),
            name: Some(name.to_owned()),
            ..Stage::default()
        },
    }
}

/// Writes a map as a Mermaid `journey` diagram.
///
/// Each stage is a section; its actions and then its touchpoints are tasks. A step without a
/// score is written as neutral (3); a step without actors gets the persona's name, since it is
/// the persona who acts.
#[must_use]
pub fn export(map: &JourneyMap, config: &WorkspaceConfig, persona: Option<&Persona>) -> String {
    let mut out = String::from("journey\n");
    out.push_str(&format!("    title {}\n", clean(&map.title)));
    let default_actors: Vec<String> = persona.map(|p| vec![clean(&p.name)]).unwrap_or_default();
    for stage in &map.stages {
        out.push_str(&format!(
            "    section {}\n",
            clean(config.stage_name(stage))
        ));
        let tasks = stage
            .actions
            .iter()
            .map(|a| (a.text.as_str(), a.emotion, a.actors.clone()))
            .chain(
                stage
                    .touchpoints
                    .iter()
                    .map(|t| (t.name.as_str(), t.emotion, Vec::new())),
            );
        for (text, emotion, actors) in tasks {
            let score = emotion.map_or(SCORE_NEUTRAL, |e| {
                (i64::from(e) + SCORE_NEUTRAL).clamp(SCORE_MIN, SCORE_MAX)
            });
            let actors: Vec<String> = if actors.is_empty() {
                default_actors.clone()
            } else {
                actors.iter().map(|a| clean(a)).collect()
            };
            if actors.is_empty() {
                out.push_str(&format!("      {}: {score}\n", clean(text)));
            } else {
                out.push_str(&format!(
                    "      {}: {score}: {}\n",
                    clean(text),
                    actors.join(", ")
                ));
            }
        }
    }
    out
}

/// Makes a text safe inside one Mermaid statement: one line, no `:` (which separates a task's
/// parts) and no `,` in actor names. The replacements look alike and survive a round trip.
fn clean(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(':', "\u{2236}")
        .replace(',', "\u{201A}")
        .replace('#', "\u{266F}")
        .replace(';', "\u{037E}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> WorkspaceConfig {
        serde_norway::from_str(
            "name: t\nlanguage: en\nstages:\n  - {id: awareness, name: Awareness}\n  - {id: purchase, name: Purchase}\n",
        )
        .unwrap()
    }

    #[test]
    fn sections_matching_workspace_stages_reuse_them() {
        let text = "journey\n  title T\n  section awareness\n    See ad: 4: Anni\n  section Unboxing\n    Open box: 5\n";
        let map = import("t.mmd", text, &config(), &ImportOptions::default()).unwrap();
        assert_eq!(map.id.as_str(), "t");
        assert_eq!(map.stages[0].stage.as_str(), "awareness");
        assert_eq!(map.stages[0].name, None);
        assert_eq!(map.stages[0].actions[0].emotion, Some(1));
        assert_eq!(map.stages[0].actions[0].actors, vec!["Anni"]);
        assert_eq!(map.stages[1].stage.as_str(), "unboxing");
        assert_eq!(map.stages[1].name.as_deref(), Some("Unboxing"));
        assert!(map.stages[1].actions[0].actors.is_empty());
    }

    #[test]
    fn bad_lines_are_reported_with_line_and_column() {
        let cases = [
            ("graph TD\n", 1, 1, "not a Mermaid journey"),
            (
                "journey\n  section A\n    Task: x: Me\n",
                3,
                11,
                "not a number",
            ),
            (
                "journey\n  section A\n    Task: 9: Me\n",
                3,
                11,
                "outside Mermaid's scale",
            ),
            ("journey\n    Task: 3: Me\n", 2, 5, "before any `section`"),
            (
                "journey\n  section A\n  what is this\n",
                3,
                3,
                "cannot read",
            ),
            ("", 1, 1, "empty"),
        ];
        for (text, line, column, needle) in cases {
            let e = import("x.mmd", text, &config(), &ImportOptions::default()).unwrap_err();
            assert_eq!(
                (e.position.line, e.position.column),
                (line, column),
                "{text:?}: {e}"
            );
            assert!(e.message.contains(needle), "{text:?}: {e}");
        }
    }

    #[test]
    fn export_cleans_separators_and_round_trips() {
        let mut map = JourneyMap {
            title: "A: B".into(),
            ..JourneyMap::default()
        };
        map.stages.push(Stage {
            stage: StageId::new("purchase").unwrap(),
            actions: vec![Step {
                text: "Pay: card, fast".into(),
                emotion: Some(-3),
                actors: vec![],
                evidence: vec![],
            }],
            ..Stage::default()
        });
        let persona = Persona {
            name: "Anni".into(),
            ..Persona::default()
        };
        let first = export(&map, &config(), Some(&persona));
        assert!(first.contains("section Purchase\n"), "{first}");
        assert!(
            first.contains(": 1: Anni\n"),
            "emotion −3 is clamped to score 1: {first}"
        );
        let again = import("x.mmd", &first, &config(), &ImportOptions::default()).unwrap();
        assert_eq!(export(&again, &config(), None), first);
    }
}

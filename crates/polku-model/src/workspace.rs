//! A whole workspace in memory, and the checks that tie its documents together.
//!
//! Each file is parsed on its own (syntax, types, unknown fields); [`validate`] then checks what
//! only the whole workspace can tell: that ids are unique, references resolve, scores are on
//! their scales and no stage is empty. Every finding points at a file, line and column.

use std::collections::{HashMap, HashSet};

use crate::catalogue::Catalogue;
use crate::source::{Diagnostic, Sourced, parse};
use crate::suggest::did_you_mean;
use crate::types::{
    EMOTION_MAX, EMOTION_MIN, JourneyMap, MapKind, Persona, SCORE_MAX, SCORE_MIN, WorkspaceConfig,
};
use crate::{MapId, PersonaId, TeamId};

/// The file name of a workspace's configuration.
pub const CONFIG_FILE: &str = "polku.yaml";
/// The folder of persona files.
pub const PERSONAS_DIR: &str = "personas";
/// The folder of map files.
pub const MAPS_DIR: &str = "maps";

/// Every document of a workspace, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// `polku.yaml`.
    pub config: Sourced<WorkspaceConfig>,
    /// `personas/*.yaml`, in file-name order.
    pub personas: Vec<Sourced<Persona>>,
    /// `maps/*.yaml`, in file-name order.
    pub maps: Vec<Sourced<JourneyMap>>,
}

/// A workspace file handed to [`Workspace::parse`]: its path relative to the workspace
/// (`maps/x.yaml`) and its text.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    /// The path relative to the workspace, with `/` separators.
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl Workspace {
    /// Parses the files of a workspace. Files other than `polku.yaml`, `personas/*.yaml` and
    /// `maps/*.yaml` are ignored. A persona's or map's id defaults to its file name.
    ///
    /// # Errors
    /// Every file that does not parse, as one diagnostic each (all files are tried, so one run
    /// shows every problem).
    pub fn parse(files: &[WorkspaceFile]) -> Result<Workspace, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut config = None;
        let mut personas = Vec::new();
        let mut maps = Vec::new();
        let mut sorted: Vec<&WorkspaceFile> = files.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for file in sorted {
            let stem = file_stem(&file.path);
            if file.path == CONFIG_FILE {
                match parse::<WorkspaceConfig>(&file.path, &file.text) {
                    Ok(c) => config = Some(c),
                    Err(e) => errors.push(e),
                }
            } else if in_dir(&file.path, PERSONAS_DIR) {
                match parse::<Persona>(&file.path, &file.text) {
                    Ok(mut p) => {
                        if p.doc.id.is_empty() {
                            p.doc.id = default_id(&file.path, stem, &mut errors);
                        }
                        personas.push(p);
                    }
                    Err(e) => errors.push(e),
                }
            } else if in_dir(&file.path, MAPS_DIR) {
                match parse::<JourneyMap>(&file.path, &file.text) {
                    Ok(mut m) => {
                        if m.doc.id.is_empty() {
                            m.doc.id = default_id(&file.path, stem, &mut errors);
                        }
                        maps.push(m);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        if config.is_none() && !errors.iter().any(|e| e.file == CONFIG_FILE) {
            errors.insert(
                0,
                Diagnostic::error(
                    CONFIG_FILE,
                    crate::Position { line: 1, column: 1 },
                    "no polku.yaml: this is not a polku workspace (create one with `polku init DIR`)",
                ),
            );
        }
        match config {
            Some(config) if errors.is_empty() => Ok(Workspace {
                config,
                personas,
                maps,
            }),
            _ => Err(errors),
        }
    }

    /// The persona with this id.
    #[must_use]
    pub fn persona(&self, id: &PersonaId) -> Option<&Persona> {
        self.personas.iter().map(|p| &p.doc).find(|p| &p.id == id)
    }

    /// The map with this id.
    #[must_use]
    pub fn map(&self, id: &MapId) -> Option<&JourneyMap> {
        self.maps.iter().map(|m| &m.doc).find(|m| &m.id == id)
    }

    /// The map with this id, or an error that lists the ids there are.
    ///
    /// # Errors
    /// When no map has the id.
    pub fn map_by_name(&self, id: &str) -> Result<&JourneyMap, String> {
        self.maps
            .iter()
            .map(|m| &m.doc)
            .find(|m| m.id.as_str() == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = self.maps.iter().map(|m| m.doc.id.as_str()).collect();
                format!(
                    "no map `{id}`{} in this workspace; maps: {}",
                    did_you_mean(id, ids.iter().copied()),
                    if ids.is_empty() {
                        "none".to_owned()
                    } else {
                        ids.join(", ")
                    }
                )
            })
    }
}

fn in_dir(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| !name.contains('/') && name.ends_with(".yaml"))
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".yaml").unwrap_or(name)
}

fn default_id<T: std::str::FromStr + Default>(
    path: &str,
    stem: &str,
    errors: &mut Vec<Diagnostic>,
) -> T {
    stem.parse().unwrap_or_else(|_| {
        errors.push(Diagnostic::error(
            path,
            crate::Position { line: 1, column: 1 },
            format!(
                "the file name `{stem}` is not a valid id and the file sets no `id`: \
                 rename it to `{}.yaml` or add `id:`",
                crate::slugify(stem)
            ),
        ));
        T::default()
    })
}

/// Checks a parsed workspace as a whole. Returns every finding, errors and warnings, sorted by
/// file and position.
#[must_use]
pub fn validate(ws: &Workspace) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let config = &ws.config;
    let catalogue = Catalogue::builtin();

    // polku.yaml
    if config.doc.stages.is_empty() {
        out.push(config.error_at(
            "stages",
            "the workspace defines no stages: list at least one",
        ));
    }
    duplicates(
        config
            .doc
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), format!("stages[{i}].id"))),
        "stage",
        config,
        &mut out,
    );
    duplicates(
        config
            .doc
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.as_str(), format!("teams[{i}].id"))),
        "team",
        config,
        &mut out,
    );
    for (i, team) in config.doc.teams.iter().enumerate() {
        if let Some(color) = &team.color
            && !is_hex_color(color)
        {
            out.push(config.error_at(
                &format!("teams[{i}].color"),
                format!("colour `{color}` is not of the form #rrggbb"),
            ));
        }
    }
    for (i, rule) in config.doc.channel_groups.iter().enumerate() {
        if rule.group.trim().is_empty() {
            out.push(config.error_at(
                &format!("channel_groups[{i}].group"),
                "the channel group's name is empty",
            ));
        } else if rule.has_no_condition() {
            out.push(config.error_at(
                &format!("channel_groups[{i}].group"),
                format!(
                    "the rule for `{}` gives no condition: give at least one of source, medium, \
                     campaign, source_contains, medium_contains, campaign_contains",
                    rule.group
                ),
            ));
        }
    }
    let teams: Vec<&str> = config.doc.teams.iter().map(|t| t.id.as_str()).collect();
    let check_team = |owner: &Option<TeamId>,
                      path: String,
                      doc: &Sourced<JourneyMap>,
                      out: &mut Vec<Diagnostic>| {
        if let Some(owner) = owner
            && !teams.contains(&owner.as_str())
        {
            out.push(doc.error_at(
                &path,
                format!(
                    "unknown team `{owner}`{}; teams in polku.yaml: {}",
                    did_you_mean(owner.as_str(), teams.iter().copied()),
                    list_or_none(&teams)
                ),
            ));
        }
    };

    // Personas
    let mut persona_files: HashMap<&str, &str> = HashMap::new();
    for p in &ws.personas {
        if let Some(first) = persona_files.insert(p.doc.id.as_str(), &p.file) {
            out.push(p.error_at_key(
                "id",
                format!("duplicate persona id `{}`: {first} has it too", p.doc.id),
            ));
        }
        if persona_evidence_count(&p.doc) == 0 {
            out.push(p.warning_at(
                "name",
                format!(
                    "persona `{}` cites no evidence: every field is an assumption until it names \
                     an interview, survey or CRM source",
                    p.doc.id
                ),
            ));
        }
    }
    let persona_ids: Vec<&str> = ws.personas.iter().map(|p| p.doc.id.as_str()).collect();
    check_persona_rules(ws, &mut out);

    // Maps
    let mut map_files: HashMap<&str, &str> = HashMap::new();
    for m in &ws.maps {
        if let Some(first) = map_files.insert(m.doc.id.as_str(), &m.file) {
            out.push(m.error_at_key(
                "id",
                format!("duplicate map id `{}`: {first} has it too", m.doc.id),
            ));
        }
    }
    for m in &ws.maps {
        let map = &m.doc;
        if let Some(persona) = &map.persona
            && !persona_ids.contains(&persona.as_str())
        {
            out.push(m.error_at(
                "persona",
                format!(
                    "unknown persona `{persona}`{}; personas: {}",
                    did_you_mean(persona.as_str(), persona_ids.iter().copied()),
                    list_or_none(&persona_ids)
                ),
            ));
        }
        if let Some(target) = &map.improves {
            check_improves(ws, m, target, &mut out);
        }
        if map.stages.is_empty() {
            out.push(m.error_at("stages", "the map has no stages: list at least one"));
        }
        let ws_stages: Vec<&str> = config.doc.stages.iter().map(|s| s.id.as_str()).collect();
        duplicates(
            map.stages
                .iter()
                .enumerate()
                .map(|(i, s)| (s.stage.as_str(), format!("stages[{i}].stage"))),
            "stage",
            m,
            &mut out,
        );
        let mut touchpoint_ids = Vec::new();
        for (i, stage) in map.stages.iter().enumerate() {
            let at = |field: &str| format!("stages[{i}].{field}");
            if stage.name.is_none() && !ws_stages.contains(&stage.stage.as_str()) {
                out.push(m.error_at(
                    &at("stage"),
                    format!(
                        "unknown stage `{}`{}; stages in polku.yaml: {}. A stage of this map only \
                         needs a `name:`",
                        stage.stage,
                        did_you_mean(stage.stage.as_str(), ws_stages.iter().copied()),
                        list_or_none(&ws_stages)
                    ),
                ));
            }
            if stage.is_empty() {
                out.push(m.error_at(
                    &at("stage"),
                    format!(
                        "stage `{}` is empty: give it at least one goal, action or touchpoint",
                        stage.stage
                    ),
                ));
            }
            check_team(&stage.owner, at("owner"), m, &mut out);
            for (j, step) in stage.actions.iter().enumerate() {
                check_emotion(
                    step.emotion,
                    &at(&format!("actions[{j}].emotion")),
                    m,
                    &mut out,
                );
            }
            for (j, tp) in stage.touchpoints.iter().enumerate() {
                let tp_at = |field: &str| at(&format!("touchpoints[{j}].{field}"));
                touchpoint_ids.push((tp.id.as_str(), tp_at("id")));
                check_emotion(tp.emotion, &tp_at("emotion"), m, &mut out);
                for (k, rule) in tp.matches.iter().enumerate() {
                    if rule.is_empty() {
                        out.push(m.error_at(
                            &tp_at(&format!("match[{k}]")),
                            "this match rule names no field, so it would match every event: \
                             give it an event, channel, source, medium, campaign, url or properties",
                        ));
                    }
                }
                check_team(&tp.owner, tp_at("owner"), m, &mut out);
                if let Some(entry) = &tp.catalogue
                    && catalogue.touchpoint(entry).is_none()
                {
                    out.push(m.error_at(
                        &tp_at("catalogue"),
                        format!(
                            "`{entry}` is not in the touchpoint catalogue{} (see `polku catalogue`)",
                            did_you_mean(entry.as_str(), catalogue.touchpoints.iter().map(|t| t.id.as_str()))
                        ),
                    ));
                }
            }
            for (j, opp) in stage.opportunities.iter().enumerate() {
                let op_at = |field: &str| at(&format!("opportunities[{j}].{field}"));
                check_team(&opp.owner, op_at("owner"), m, &mut out);
                for (field, score) in [("value", opp.value), ("effort", opp.effort)] {
                    if let Some(s) = score
                        && !(SCORE_MIN..=SCORE_MAX).contains(&s)
                    {
                        out.push(m.error_at(
                            &op_at(field),
                            format!("{field} {s} is outside the scale {SCORE_MIN}..{SCORE_MAX}"),
                        ));
                    }
                }
            }
            for (j, kpi) in stage.kpis.iter().enumerate() {
                if kpi.target.is_some_and(|t| !t.is_finite()) {
                    out.push(m.error_at(
                        &at(&format!("kpis[{j}].target")),
                        "the target is not a number",
                    ));
                }
            }
        }
        if let Some(conversion) = &map.conversion
            && !touchpoint_ids
                .iter()
                .any(|(id, _)| *id == conversion.as_str())
        {
            out.push(m.error_at(
                "conversion",
                format!(
                    "the conversion `{conversion}` is not a touchpoint of this map{}",
                    did_you_mean(
                        conversion.as_str(),
                        touchpoint_ids.iter().map(|(id, _)| *id)
                    )
                ),
            ));
        }
        duplicates(touchpoint_ids.into_iter(), "touchpoint", m, &mut out);
    }
    out.sort();
    out
}

/// A future map improves an existing current map.
fn check_improves(
    ws: &Workspace,
    m: &Sourced<JourneyMap>,
    target: &MapId,
    out: &mut Vec<Diagnostic>,
) {
    let kind = m.doc.kind;
    if kind != MapKind::Future {
        out.push(m.error_at(
            "improves",
            format!(
                "only a future map improves another; this map is `{}`",
                kind.as_str()
            ),
        ));
    }
    match ws.map(target) {
        None => {
            let ids: Vec<&str> = ws.maps.iter().map(|x| x.doc.id.as_str()).collect();
            out.push(m.error_at(
                "improves",
                format!(
                    "unknown map `{target}`{}",
                    did_you_mean(target.as_str(), ids.iter().copied())
                ),
            ));
        }
        Some(t) if t.kind != MapKind::Current => out.push(m.error_at(
            "improves",
            format!(
                "`{target}` is a `{}` map; a future map improves a current one",
                t.kind.as_str()
            ),
        )),
        Some(_) => {}
    }
}

fn check_emotion(
    emotion: Option<i8>,
    path: &str,
    doc: &Sourced<JourneyMap>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(e) = emotion
        && !(EMOTION_MIN..=EMOTION_MAX).contains(&e)
    {
        out.push(doc.error_at(
            path,
            format!("emotion {e} is outside the scale {EMOTION_MIN}..{EMOTION_MAX} (−3 very negative, 0 neutral, +3 very positive)"),
        ));
    }
}

/// Persona rules: each names a condition, no pattern is empty, and no rule repeats one of a
/// persona before it (which would take all its customers first).
fn check_persona_rules(ws: &Workspace, out: &mut Vec<Diagnostic>) {
    let mut earlier: Vec<(&crate::PersonaRule, &str)> = Vec::new();
    for p in &ws.personas {
        let listed = p.map.contains("rules[0]");
        for (i, rule) in p.doc.rules.iter().enumerate() {
            let base = if listed {
                format!("rules[{i}]")
            } else {
                "rules".to_owned()
            };
            if rule.is_empty() {
                out.push(p.error_at(
                    &base,
                    "this rule names no condition, so it would take every customer: give it \
                     first_channel, first_source, first_campaign, channel, event, properties or \
                     survey",
                ));
                continue;
            }
            let empty = |pattern: &str| pattern.trim().is_empty();
            for (key, pattern) in rule.conditions() {
                if empty(pattern) {
                    out.push(p.error_at(
                        &format!("{base}.{key}"),
                        format!("`{key}` is empty and would match nothing: use `*` for any value"),
                    ));
                }
            }
            for (field, pairs) in [("properties", &rule.properties), ("survey", &rule.survey)] {
                for (name, pattern) in pairs {
                    if name.trim().is_empty() || empty(pattern) {
                        out.push(p.error_at(
                            &format!("{base}.{field}.{name}"),
                            format!(
                                "{field} conditions need a name and a pattern (`*` for any value)"
                            ),
                        ));
                    }
                }
            }
            if let Some((_, owner)) = earlier.iter().find(|(r, _)| *r == rule) {
                // At the rule's first key: a block mapping's own position is where its first
                // value starts.
                let first = rule
                    .conditions()
                    .map(|(k, _)| k)
                    .next()
                    .or_else(|| (!rule.properties.is_empty()).then_some("properties"))
                    .unwrap_or("survey");
                out.push(Diagnostic::warning(
                    &p.file,
                    p.map.key(&format!("{base}.{first}")),
                    format!(
                        "persona `{owner}` has the same rule and comes first, so this rule takes \
                         no customer (personas are tried in the order of their file names)"
                    ),
                ));
            }
        }
        earlier.extend(p.doc.rules.iter().map(|r| (r, p.doc.id.as_str())));
    }
}

fn duplicates<'a, T>(
    ids: impl Iterator<Item = (&'a str, String)>,
    what: &str,
    doc: &Sourced<T>,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (id, path) in ids {
        if let Some(first) = seen.get(id) {
            let line = doc.map.value(first).line;
            out.push(doc.error_at(
                &path,
                format!("duplicate {what} id `{id}`: already used on line {line}"),
            ));
        } else {
            seen.insert(id, path);
        }
    }
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// How many evidence references a persona cites in all its fields.
#[must_use]
pub fn persona_evidence_count(p: &Persona) -> usize {
    p.cited_items().map(|c| c.evidence.len()).sum()
}

/// The distinct evidence sources a persona rests on, e.g. `{interview:int-01, survey:q3}`.
#[must_use]
pub fn persona_sources(p: &Persona) -> HashSet<String> {
    p.cited_items()
        .flat_map(|c| c.evidence.iter().map(ToString::to_string))
        .collect()
}

//! The bundled starter workspaces: every file parses, the files agree with each other and with
//! the built-in catalogue, and the Finnish and English versions have the same structure.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use polku_model::catalogue::Catalogue;
use polku_model::templates::{TemplateKind, fixture, template_files};
use polku_model::{
    Cited, EMOTION_MAX, EMOTION_MIN, JourneyMap, Language, MapKind, Persona, SCORE_MAX, SCORE_MIN,
    WorkspaceConfig,
};
use serde::de::DeserializeOwned;

const LANGUAGES: [Language; 2] = [Language::Fi, Language::En];
const TEAMS: [&str; 3] = ["marketing", "sales", "service"];

/// One parsed template: its config, personas and maps, each with its path in the workspace.
struct Workspace {
    kind: TemplateKind,
    lang: Language,
    config: (String, WorkspaceConfig),
    personas: Vec<(String, Persona)>,
    maps: Vec<(String, JourneyMap)>,
}

impl Workspace {
    /// The file's path below the crate, for messages.
    fn file(&self, path: &str) -> String {
        file_label(self.kind, self.lang, path)
    }
}

fn file_label(kind: TemplateKind, lang: Language, path: &str) -> String {
    format!("templates/{}/{}/{path}", kind.as_str(), lang.code())
}

fn parse<T: DeserializeOwned>(kind: TemplateKind, lang: Language, path: &str, text: &str) -> T {
    serde_norway::from_str(text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", file_label(kind, lang, path)))
}

fn load(kind: TemplateKind, lang: Language) -> Workspace {
    let files = template_files(kind, lang);
    assert!(
        !files.is_empty(),
        "templates/{}/{}/ holds no files",
        kind.as_str(),
        lang.code()
    );
    let mut config = None;
    let mut personas = Vec::new();
    let mut maps = Vec::new();
    for (path, text) in files {
        if path == "polku.yaml" {
            config = Some((path.to_owned(), parse(kind, lang, path, text)));
        } else if path.starts_with("personas/") && path.ends_with(".yaml") {
            personas.push((path.to_owned(), parse(kind, lang, path, text)));
        } else if path.starts_with("maps/") && path.ends_with(".yaml") {
            maps.push((path.to_owned(), parse(kind, lang, path, text)));
        } else {
            panic!("{} is not a workspace file", file_label(kind, lang, path));
        }
    }
    let config = config.unwrap_or_else(|| {
        panic!("{} is missing", file_label(kind, lang, "polku.yaml"));
    });
    Workspace {
        kind,
        lang,
        config,
        personas,
        maps,
    }
}

fn all_workspaces() -> Vec<Workspace> {
    let mut out = Vec::new();
    for kind in TemplateKind::ALL {
        for lang in LANGUAGES {
            out.push(load(kind, lang));
        }
    }
    out
}

/// The file name without folder and `.yaml`.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".yaml").unwrap_or(name)
}

fn fail_if_any(errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{} problem(s) in the templates:\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
}

/// An optional id for messages: the id, or "none".
fn show<T: std::fmt::Display>(id: Option<&T>) -> String {
    id.map_or_else(|| "none".to_owned(), |i| format!("`{i}`"))
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn default_stage_variant_has_the_five_classic_stages() {
    let ids: Vec<_> = Catalogue::builtin()
        .default_variant()
        .stages
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "awareness",
            "consideration",
            "purchase",
            "experience",
            "loyalty"
        ]
    );
}

#[test]
fn workspace_configs_use_the_classic_stages_and_three_teams() {
    let classic: Vec<_> = Catalogue::builtin()
        .default_variant()
        .stages
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut errors = Vec::new();
    for ws in all_workspaces() {
        let (path, config) = &ws.config;
        let file = ws.file(path);
        if config.language != ws.lang {
            errors.push(format!(
                "{file}: language is {:?}, expected {:?}",
                config.language, ws.lang
            ));
        }
        let ids: Vec<_> = config.stages.iter().map(|s| s.id.clone()).collect();
        if ids != classic {
            errors.push(format!("{file}: stages are not the classic five in order"));
        }
        for s in &config.stages {
            if s.phase.is_none() || s.description.as_deref().is_none_or(str::is_empty) {
                errors.push(format!(
                    "{file}: stage `{}` needs a phase and a description",
                    s.id
                ));
            }
        }
        let teams: Vec<_> = config.teams.iter().map(|t| t.id.as_str()).collect();
        if teams != TEAMS {
            errors.push(format!("{file}: teams are {teams:?}, expected {TEAMS:?}"));
        }
        for t in &config.teams {
            if !t.color.as_deref().is_some_and(is_colour) {
                errors.push(format!("{file}: team `{}` needs a colour as #rrggbb", t.id));
            }
        }
    }
    fail_if_any(&errors);
}

#[test]
fn personas_fill_every_field_and_cite_evidence() {
    let mut errors = Vec::new();
    for ws in all_workspaces() {
        if ws.personas.len() < 2 {
            errors.push(format!(
                "templates/{}/{}/personas/: {} persona(s), expected at least 2",
                ws.kind.as_str(),
                ws.lang.code(),
                ws.personas.len()
            ));
        }
        for (path, p) in &ws.personas {
            let file = ws.file(path);
            if p.id.as_str() != stem(path) {
                errors.push(format!("{file}: id `{}` differs from the file name", p.id));
            }
            let singles: [(&str, Option<&Cited>); 6] = [
                ("quote", p.quote.as_ref()),
                ("age", p.age.as_ref()),
                ("education", p.education.as_ref()),
                ("role", p.role.as_ref()),
                ("reports_to", p.reports_to.as_ref()),
                ("context", p.context.as_ref()),
            ];
            for (field, value) in singles {
                if value.is_none_or(|c| c.text.trim().is_empty()) {
                    errors.push(format!("{file}: `{field}` is empty"));
                }
            }
            if p.summary.as_deref().is_none_or(str::is_empty) || p.customer_type.is_none() {
                errors.push(format!(
                    "{file}: `summary` and `customer_type` are required"
                ));
            }
            let lists: [(&str, &Vec<Cited>); 9] = [
                ("judged_by", &p.judged_by),
                ("goals", &p.goals),
                ("dreams", &p.dreams),
                ("problems", &p.problems),
                ("behaviour", &p.behaviour),
                ("motives", &p.motives),
                ("information_sources", &p.information_sources),
                ("social_channels", &p.social_channels),
                ("objections", &p.objections),
            ];
            let mut items = 0;
            let mut cited = 0;
            for (field, list) in lists {
                if list.is_empty() {
                    errors.push(format!("{file}: `{field}` is empty"));
                }
                items += list.len();
                cited += list.iter().filter(|c| !c.evidence.is_empty()).count();
            }
            if cited * 2 < items {
                errors.push(format!(
                    "{file}: only {cited} of {items} items cite evidence"
                ));
            }
        }
    }
    fail_if_any(&errors);
}

#[test]
fn maps_refer_to_stages_teams_personas_and_the_catalogue() {
    let catalogue = Catalogue::builtin();
    let mut errors = Vec::new();
    for ws in all_workspaces() {
        let config = &ws.config.1;
        let persona_ids: BTreeSet<_> = ws.personas.iter().map(|(_, p)| p.id.clone()).collect();
        let current: BTreeSet<_> = ws
            .maps
            .iter()
            .filter(|(_, m)| m.kind == MapKind::Current)
            .map(|(_, m)| m.id.clone())
            .collect();
        for (_, p) in &ws.personas {
            let has_current = ws
                .maps
                .iter()
                .any(|(_, m)| m.kind == MapKind::Current && m.persona.as_ref() == Some(&p.id));
            if !has_current {
                errors.push(format!(
                    "templates/{}/{}/maps/: no current map for persona `{}`",
                    ws.kind.as_str(),
                    ws.lang.code(),
                    p.id
                ));
            }
        }
        let kinds: BTreeSet<_> = ws.maps.iter().map(|(_, m)| m.kind.as_str()).collect();
        let mut wanted = vec!["current", "future"];
        if ws.kind == TemplateKind::B2c {
            wanted.push("day-in-the-life");
        }
        for kind in wanted {
            if !kinds.contains(kind) {
                errors.push(format!(
                    "templates/{}/{}/maps/: no `{kind}` map",
                    ws.kind.as_str(),
                    ws.lang.code()
                ));
            }
        }
        for (path, map) in &ws.maps {
            let file = ws.file(path);
            check_map(
                &file,
                path,
                map,
                config,
                catalogue,
                &persona_ids,
                &current,
                &mut errors,
            );
        }
    }
    fail_if_any(&errors);
}

#[allow(clippy::too_many_arguments)]
fn check_map(
    file: &str,
    path: &str,
    map: &JourneyMap,
    config: &WorkspaceConfig,
    catalogue: &Catalogue,
    persona_ids: &BTreeSet<polku_model::PersonaId>,
    current: &BTreeSet<polku_model::MapId>,
    errors: &mut Vec<String>,
) {
    let is_team = |id: Option<&polku_model::TeamId>| id.is_some_and(|t| config.team(t).is_some());
    let emotion_ok = |e: i8| (EMOTION_MIN..=EMOTION_MAX).contains(&e);
    if map.id.as_str() != stem(path) {
        errors.push(format!(
            "{file}: id `{}` differs from the file name",
            map.id
        ));
    }
    match &map.persona {
        Some(p) if persona_ids.contains(p) => {}
        other => errors.push(format!(
            "{file}: persona {other:?} is not a persona of the workspace"
        )),
    }
    match (map.kind, &map.improves) {
        (MapKind::Future, Some(m)) if current.contains(m) => {}
        (MapKind::Future, other) => {
            errors.push(format!(
                "{file}: a future map must improve a current map, not {other:?}"
            ));
        }
        (_, Some(m)) => errors.push(format!("{file}: only a future map improves a map (`{m}`)")),
        (_, None) => {}
    }
    if map.stages.is_empty() {
        errors.push(format!("{file}: no stages"));
    }
    let mut touchpoint_ids = BTreeSet::new();
    for stage in &map.stages {
        let at = format!("{file}: stage `{}`", stage.stage);
        if config.stage(&stage.stage).is_none() && stage.name.is_none() {
            errors.push(format!("{at} is not a workspace stage and has no `name`"));
        }
        if !is_team(stage.owner.as_ref()) {
            errors.push(format!(
                "{at}: owner {} is not a team",
                show(stage.owner.as_ref())
            ));
        }
        let counts = [
            ("goals", stage.goals.len(), 1, 3),
            ("actions", stage.actions.len(), 2, 4),
            ("touchpoints", stage.touchpoints.len(), 2, 5),
            ("pain_points", stage.pain_points.len(), 1, 3),
            ("moments_of_truth", stage.moments_of_truth.len(), 0, 2),
            ("kpis", stage.kpis.len(), 1, 3),
            ("opportunities", stage.opportunities.len(), 1, 2),
        ];
        for (field, n, min, max) in counts {
            if !(min..=max).contains(&n) {
                errors.push(format!("{at}: {n} {field}, expected {min}–{max}"));
            }
        }
        for step in &stage.actions {
            if let Some(e) = step.emotion.filter(|e| !emotion_ok(*e)) {
                errors.push(format!(
                    "{at}: emotion {e} of `{}` is off the scale",
                    step.text
                ));
            }
        }
        for t in &stage.touchpoints {
            if !touchpoint_ids.insert(t.id.clone()) {
                errors.push(format!(
                    "{at}: touchpoint id `{}` is used twice in the map",
                    t.id
                ));
            }
            if !is_team(t.owner_in(stage)) {
                errors.push(format!(
                    "{at}: owner of touchpoint `{}` is not a team",
                    t.id
                ));
            }
            if let Some(e) = t.emotion.filter(|e| !emotion_ok(*e)) {
                errors.push(format!(
                    "{at}: emotion {e} of touchpoint `{}` is off the scale",
                    t.id
                ));
            }
            if let Some(c) = &t.catalogue
                && catalogue.touchpoint(c).is_none()
            {
                errors.push(format!(
                    "{at}: touchpoint `{}` names unknown catalogue entry `{c}`",
                    t.id
                ));
            }
        }
        for k in &stage.kpis {
            if k.layer.is_none() || k.target.is_none() || k.unit.is_none() {
                errors.push(format!(
                    "{at}: KPI `{}` needs a layer, a target and a unit",
                    k.name
                ));
            }
        }
        for o in &stage.opportunities {
            let score_ok = |s: Option<u8>| s.is_some_and(|s| (SCORE_MIN..=SCORE_MAX).contains(&s));
            if !score_ok(o.value) || !score_ok(o.effort) {
                errors.push(format!(
                    "{at}: opportunity `{}` needs value and effort 1–5",
                    o.title
                ));
            }
            if !is_team(o.owner.as_ref()) {
                errors.push(format!(
                    "{at}: owner of opportunity `{}` is not a team",
                    o.title
                ));
            }
        }
    }
}

/// Everything in a file that does not depend on the language: ids, references, kinds, scores,
/// numbers, evidence and the number of items in each list.
fn skeleton_of_config(c: &WorkspaceConfig) -> Vec<String> {
    let mut out: Vec<String> = c
        .stages
        .iter()
        .map(|s| format!("stage {} {:?}", s.id, s.phase))
        .collect();
    out.extend(
        c.teams
            .iter()
            .map(|t| format!("team {} {:?}", t.id, t.color)),
    );
    out
}

fn cited_skeleton(field: &str, items: &[Cited]) -> String {
    let mut s = format!("{field}:");
    for c in items {
        let refs: Vec<_> = c.evidence.iter().map(ToString::to_string).collect();
        let _ = write!(s, " [{}]", refs.join(","));
    }
    s
}

fn skeleton_of_persona(p: &Persona) -> Vec<String> {
    let single = |c: &Option<Cited>| c.iter().cloned().collect::<Vec<_>>();
    vec![
        format!("id {} type {:?}", p.id, p.customer_type),
        cited_skeleton("quote", &single(&p.quote)),
        cited_skeleton("age", &single(&p.age)),
        cited_skeleton("education", &single(&p.education)),
        cited_skeleton("role", &single(&p.role)),
        cited_skeleton("reports_to", &single(&p.reports_to)),
        cited_skeleton("context", &single(&p.context)),
        cited_skeleton("judged_by", &p.judged_by),
        cited_skeleton("goals", &p.goals),
        cited_skeleton("dreams", &p.dreams),
        cited_skeleton("problems", &p.problems),
        cited_skeleton("behaviour", &p.behaviour),
        cited_skeleton("motives", &p.motives),
        cited_skeleton("information_sources", &p.information_sources),
        cited_skeleton("social_channels", &p.social_channels),
        cited_skeleton("objections", &p.objections),
    ]
}

fn skeleton_of_map(m: &JourneyMap) -> Vec<String> {
    let mut out = vec![format!(
        "id {} persona {:?} kind {} improves {:?}",
        m.id,
        m.persona,
        m.kind.as_str(),
        m.improves
    )];
    for s in &m.stages {
        out.push(format!(
            "stage {} named {} owner {:?}",
            s.stage,
            s.name.is_some(),
            s.owner
        ));
        out.push(cited_skeleton("  goals", &s.goals));
        for a in &s.actions {
            out.push(format!(
                "  action {:?} {:?} {:?}",
                a.emotion, a.actors, a.evidence
            ));
        }
        for t in &s.touchpoints {
            out.push(format!(
                "  touchpoint {} {} {:?} {:?} {:?} channel {} format {}",
                t.id,
                t.kind.as_str(),
                t.owner,
                t.emotion,
                t.catalogue,
                t.channel.is_some(),
                t.format.is_some()
            ));
        }
        out.push(cited_skeleton("  pain_points", &s.pain_points));
        out.push(cited_skeleton("  moments_of_truth", &s.moments_of_truth));
        for k in &s.kpis {
            out.push(format!("  kpi {:?} {:?}", k.layer, k.target));
        }
        for o in &s.opportunities {
            out.push(format!(
                "  opportunity {:?} {:?} {:?} {:?}",
                o.value, o.effort, o.owner, o.status
            ));
        }
    }
    out
}

fn compare(file_fi: &str, fi: &[String], en: &[String], errors: &mut Vec<String>) {
    if let Some(i) = (0..fi.len().max(en.len())).find(|&i| fi.get(i) != en.get(i)) {
        errors.push(format!(
            "{file_fi} and its English version differ in structure:\n    fi: {:?}\n    en: {:?}",
            fi.get(i),
            en.get(i)
        ));
    }
}

#[test]
fn finnish_and_english_templates_have_the_same_files_and_ids() {
    let mut errors = Vec::new();
    for kind in TemplateKind::ALL {
        let paths = |lang| {
            template_files(kind, lang)
                .into_iter()
                .map(|(p, _)| p)
                .collect::<BTreeSet<_>>()
        };
        let (fi_paths, en_paths) = (paths(Language::Fi), paths(Language::En));
        for p in fi_paths.symmetric_difference(&en_paths) {
            let lang = if fi_paths.contains(p) {
                Language::En
            } else {
                Language::Fi
            };
            errors.push(format!("{} is missing", file_label(kind, lang, p)));
        }
        let fi = load(kind, Language::Fi);
        let en = load(kind, Language::En);
        compare(
            &fi.file(&fi.config.0),
            &skeleton_of_config(&fi.config.1),
            &skeleton_of_config(&en.config.1),
            &mut errors,
        );
        for (path, p) in &fi.personas {
            if let Some((_, q)) = en.personas.iter().find(|(e, _)| e == path) {
                compare(
                    &fi.file(path),
                    &skeleton_of_persona(p),
                    &skeleton_of_persona(q),
                    &mut errors,
                );
            }
        }
        for (path, m) in &fi.maps {
            if let Some((_, n)) = en.maps.iter().find(|(e, _)| e == path) {
                compare(
                    &fi.file(path),
                    &skeleton_of_map(m),
                    &skeleton_of_map(n),
                    &mut errors,
                );
            }
        }
    }
    fail_if_any(&errors);
}

#[test]
fn b2b_template_has_the_seed_personas() {
    for lang in LANGUAGES {
        let ws = load(TemplateKind::B2b, lang);
        let names: BTreeSet<_> = ws
            .personas
            .iter()
            .map(|(_, p)| (p.id.as_str(), p.name.as_str()))
            .collect();
        for wanted in [
            ("hr-hanna", "HR-Hanna"),
            ("marja-markkinoija", "Marja Markkinoija"),
        ] {
            assert!(
                names.contains(&wanted),
                "templates/b2b/{}/personas/ lacks {wanted:?}",
                lang.code()
            );
        }
    }
}

#[test]
fn mermaid_working_day_fixture_is_bundled() {
    let text =
        fixture("my-working-day.mmd").expect("templates/fixtures/my-working-day.mmd is bundled");
    assert!(
        text.starts_with("journey\n    title My working day\n"),
        "fixture starts with the journey header"
    );
    assert!(
        text.contains("      Do work: 1: Me, Cat\n"),
        "fixture keeps Mermaid's example tasks"
    );
    assert_eq!(
        text.matches("section ").count(),
        2,
        "fixture has two sections"
    );
}

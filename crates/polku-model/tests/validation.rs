//! Every kind of validation finding, with the exact line and column it points at.

use polku_model::{Workspace, WorkspaceFile, validate};

const CONFIG: &str = "\
name: Test Oy
language: en
stages:
  - id: awareness
    name: Awareness
  - id: purchase
    name: Purchase
teams:
  - id: marketing
    name: Marketing
    color: '#3366aa'
  - id: sales
    name: Sales
";

const PERSONA: &str = "\
id: anni
name: Anni
goals:
  - text: Grow sales
    evidence: [interview:int-01]
";

const MAP_TEMPLATE: &str = "\
id: anni-current
title: Anni today
persona: anni
kind: current
stages:
  - stage: awareness
    owner: marketing
    goals: [Find options]
    actions:
      - text: Reads a blog
        emotion: 1
    touchpoints:
      - id: blog
        name: Blog post
        kind: digital
        emotion: 2
        catalogue: CATALOGUE_ID
  - stage: purchase
    owner: sales
    actions: [Signs the offer]
    opportunities:
      - title: E-signature
        value: 4
        effort: 2
";

/// A valid map; its touchpoint names the first entry of the built-in catalogue.
static MAP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let entry = &polku_model::catalogue::Catalogue::builtin().touchpoints[0].id;
    MAP_TEMPLATE.replace("CATALOGUE_ID", entry.as_str())
});

fn files(config: &str, persona: &str, maps: &[(&str, &str)]) -> Vec<WorkspaceFile> {
    let mut out = vec![
        WorkspaceFile {
            path: "polku.yaml".into(),
            text: config.into(),
        },
        WorkspaceFile {
            path: "personas/anni.yaml".into(),
            text: persona.into(),
        },
    ];
    out.extend(maps.iter().map(|(p, t)| WorkspaceFile {
        path: (*p).into(),
        text: (*t).into(),
    }));
    out
}

/// All findings, printed, for a workspace whose map is `map`.
fn findings_for_map(map: &str) -> Vec<String> {
    findings(&files(CONFIG, PERSONA, &[("maps/m.yaml", map)]))
}

fn findings(files: &[WorkspaceFile]) -> Vec<String> {
    match Workspace::parse(files) {
        Ok(ws) => validate(&ws).iter().map(ToString::to_string).collect(),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn assert_one(found: &[String], expected_prefix: &str, needle: &str) {
    assert_eq!(found.len(), 1, "expected one finding, got {found:#?}");
    assert!(
        found[0].starts_with(expected_prefix),
        "expected `{expected_prefix}…`, got `{}`",
        found[0]
    );
    assert!(
        found[0].contains(needle),
        "expected `{needle}` in `{}`",
        found[0]
    );
}

#[test]
fn the_base_workspace_is_valid() {
    assert_eq!(findings_for_map(&MAP), Vec::<String>::new());
}

#[test]
fn a_misspelt_field_is_named_with_a_suggestion() {
    let map = MAP.replace("        emotion: 2\n", "        emotoin: 2\n");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:16:9: unknown field `emotoin` (did you mean `emotion`?)",
        "expected one of",
    );
    let map = MAP.replace("    goals: [Find options]", "    goal: [Find options]");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:8:5: unknown field `goal` (did you mean `goals`?)",
        "",
    );
}

#[test]
fn a_misspelt_value_is_named_with_a_suggestion() {
    let map = MAP.replace("kind: digital", "kind: digitl");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:15:15: unknown value `digitl` (did you mean `digital`?)",
        "",
    );
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let map = MAP.replace("    owner: sales\n", "    owner: [sales\n");
    let found = findings_for_map(&map);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("maps/m.yaml:"), "{}", found[0]);
}

#[test]
fn unknown_stage() {
    let map = MAP.replace("  - stage: purchase", "  - stage: purchse");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:18:12: unknown stage `purchse` (did you mean `purchase`?)",
        "stages in polku.yaml: awareness, purchase",
    );
}

#[test]
fn a_map_stage_with_a_name_needs_no_workspace_stage() {
    let map = MAP.replace(
        "  - stage: purchase\n",
        "  - stage: unboxing\n    name: Unboxing\n",
    );
    assert_eq!(findings_for_map(&map), Vec::<String>::new());
}

#[test]
fn unknown_persona() {
    let map = MAP.replace("persona: anni", "persona: ani");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:3:10: unknown persona `ani` (did you mean `anni`?)",
        "personas: anni",
    );
}

#[test]
fn duplicate_ids() {
    let map = MAP.replace("  - stage: purchase", "  - stage: awareness");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:18:12: duplicate stage id `awareness`",
        "line 6",
    );

    let map = MAP.replace(
        "    actions: [Signs the offer]\n",
        "    actions: [Signs the offer]\n    touchpoints:\n      - {id: blog, name: Again}\n",
    );
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:22:14: duplicate touchpoint id `blog`",
        "line 13",
    );

    let found = findings(&files(
        CONFIG,
        PERSONA,
        &[("maps/a.yaml", &MAP), ("maps/b.yaml", &MAP)],
    ));
    assert_one(
        &found,
        "maps/b.yaml:1:1: duplicate map id `anni-current`",
        "maps/a.yaml has it too",
    );

    let mut fs = files(CONFIG, PERSONA, &[("maps/m.yaml", &MAP)]);
    fs.push(WorkspaceFile {
        path: "personas/anni2.yaml".into(),
        text: PERSONA.into(),
    });
    assert_one(
        &findings(&fs),
        "personas/anni2.yaml:1:1: duplicate persona id `anni`",
        "personas/anni.yaml",
    );

    let config = CONFIG.replace("  - id: sales\n", "  - id: marketing\n");
    assert_one(
        &findings(&files(&config, PERSONA, &[])),
        "polku.yaml:12:9: duplicate team id `marketing`",
        "line 9",
    );
}

#[test]
fn emotion_out_of_scale() {
    let map = MAP.replace("        emotion: 1\n", "        emotion: 5\n");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:11:18: emotion 5 is outside the scale -3..3",
        "",
    );
    let map = MAP.replace("        emotion: 2\n", "        emotion: -4\n");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:16:18: emotion -4 is outside the scale -3..3",
        "",
    );
}

#[test]
fn empty_stage() {
    let map = MAP.replace("    actions: [Signs the offer]\n", "");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:18:12: stage `purchase` is empty",
        "",
    );
}

#[test]
fn unknown_team_and_catalogue_entry() {
    let map = MAP.replace("    owner: sales", "    owner: sale");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:19:12: unknown team `sale` (did you mean `sales`?)",
        "",
    );
    let map = MAP.replace(
        &format!(
            "catalogue: {}",
            polku_model::catalogue::Catalogue::builtin().touchpoints[0].id
        ),
        "catalogue: no-such-thing",
    );
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:17:20: `no-such-thing` is not in the touchpoint catalogue",
        "",
    );
}

#[test]
fn scores_and_colours_out_of_range() {
    let map = MAP.replace("        value: 4", "        value: 9");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:23:16: value 9 is outside the scale 1..5",
        "",
    );
    let config = CONFIG.replace("'#3366aa'", "blue");
    assert_one(
        &findings(&files(&config, PERSONA, &[])),
        "polku.yaml:11:12: colour `blue` is not of the form #rrggbb",
        "",
    );
}

#[test]
fn future_maps_improve_current_maps() {
    let future = MAP
        .replace("id: anni-current", "id: anni-future")
        .replace("kind: current", "kind: future\nimproves: anni-curent");
    let found = findings(&files(
        CONFIG,
        PERSONA,
        &[("maps/a.yaml", &MAP), ("maps/b.yaml", &future)],
    ));
    assert_one(
        &found,
        "maps/b.yaml:5:11: unknown map `anni-curent` (did you mean `anni-current`?)",
        "",
    );

    let not_future = MAP
        .replace("id: anni-current", "id: x")
        .replace("kind: current", "kind: current\nimproves: anni-current");
    let found = findings(&files(
        CONFIG,
        PERSONA,
        &[("maps/a.yaml", &MAP), ("maps/b.yaml", &not_future)],
    ));
    assert_one(
        &found,
        "maps/b.yaml:5:11: only a future map improves another",
        "",
    );
}

#[test]
fn invalid_ids_and_evidence_are_refused_where_they_stand() {
    let map = MAP.replace("      - id: blog", "      - id: Blog Post");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:13:9: invalid id `Blog Post`",
        "",
    );
    let persona = PERSONA.replace("interview:int-01", "int-01");
    assert_one(
        &findings(&files(CONFIG, &persona, &[])),
        "personas/anni.yaml:5:15: evidence `int-01` needs a kind",
        "",
    );
}

#[test]
fn a_persona_without_evidence_is_a_warning_not_an_error() {
    let found = findings(&files(
        CONFIG,
        "id: anni\nname: Anni\ngoals: [Grow]\n",
        &[("maps/m.yaml", &MAP)],
    ));
    assert_one(
        &found,
        "personas/anni.yaml:2:7: warning: persona `anni` cites no evidence",
        "",
    );
}

#[test]
fn a_missing_config_is_explained() {
    let found = findings(&[WorkspaceFile {
        path: "maps/m.yaml".into(),
        text: MAP.clone(),
    }]);
    assert_one(&found, "polku.yaml:1:1: no polku.yaml", "polku init");
}

#[test]
fn every_file_is_reported_in_one_run() {
    let bad = MAP.replace("title:", "titel:");
    let found = findings(&files(
        CONFIG,
        "name: [",
        &[("maps/a.yaml", &bad), ("maps/b.yaml", &bad)],
    ));
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn conversion_and_match_rules() {
    let map = MAP.replace("kind: current", "kind: current\nconversion: blgo");
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:5:13: the conversion `blgo` is not a touchpoint of this map (did you mean `blog`?)",
        "",
    );
    let map = MAP.replace(
        "        kind: digital\n",
        "        kind: digital\n        match: [{event: page_view, url: '*/blog*'}, {}]\n",
    );
    assert_one(
        &findings_for_map(&map),
        "maps/m.yaml:16:53: this match rule names no field",
        "",
    );
    let map = MAP.replace("kind: current", "kind: current\nconversion: blog");
    assert_eq!(findings_for_map(&map), Vec::<String>::new());
}

#[test]
fn channel_group_rules_are_checked_where_they_are_written() {
    let ok = format!("{CONFIG}channel_groups:\n  - group: Fairs\n    medium: [fair, event]\n");
    assert_eq!(
        findings(&files(&ok, PERSONA, &[("maps/m.yaml", &MAP)])),
        Vec::<String>::new()
    );

    let no_condition = format!("{CONFIG}channel_groups:\n  - group: Fairs\n");
    assert_one(
        &findings(&files(&no_condition, PERSONA, &[("maps/m.yaml", &MAP)])),
        "polku.yaml:15:12: the rule for `Fairs` gives no condition",
        "source_contains",
    );

    let misspelt = format!("{CONFIG}channel_groups:\n  - group: Fairs\n    mediun: [fair]\n");
    assert_one(
        &findings(&files(&misspelt, PERSONA, &[("maps/m.yaml", &MAP)])),
        "polku.yaml:16:5: unknown field `mediun` (did you mean `medium`?)",
        "",
    );
}

#[test]
fn persona_rules_in_both_forms_are_valid() {
    let one =
        format!("{PERSONA}rules:\n  first_channel: Paid*\n  properties: {{customer_type: b2b}}\n");
    assert_eq!(findings(&files(CONFIG, &one, &[])), Vec::<String>::new());
    let many = format!(
        "{PERSONA}rules:\n  - survey: {{'*hear about us*': LinkedIn}}\n  - event: deal_won\n    channel: Email\n"
    );
    let ws = Workspace::parse(&files(CONFIG, &many, &[])).unwrap();
    assert_eq!(ws.personas[0].doc.rules.len(), 2);
    assert_eq!(validate(&ws), Vec::new());
}

#[test]
fn a_misspelt_persona_rule_field_is_named_with_a_suggestion() {
    let persona = format!("{PERSONA}rules:\n  - first_chanel: Paid Search\n");
    assert_one(
        &findings(&files(CONFIG, &persona, &[])),
        "personas/anni.yaml:7:5: unknown field `first_chanel` (did you mean `first_channel`?)",
        "expected one of first_channel, first_source",
    );
}

#[test]
fn an_empty_persona_rule_is_refused_where_it_stands() {
    let persona = format!("{PERSONA}rules:\n  - properties: {{customer_type: b2b}}\n  - {{}}\n");
    assert_one(
        &findings(&files(CONFIG, &persona, &[])),
        "personas/anni.yaml:8:5: this rule names no condition, so it would take every customer",
        "",
    );
}

#[test]
fn empty_persona_rule_patterns_point_at_their_value() {
    let single = format!("{PERSONA}rules:\n  first_channel: ''\n");
    assert_one(
        &findings(&files(CONFIG, &single, &[])),
        "personas/anni.yaml:7:18: `first_channel` is empty and would match nothing",
        "use `*` for any value",
    );
    let survey = format!("{PERSONA}rules:\n  - event: lead_created\n  - survey:\n      q1: ''\n");
    assert_one(
        &findings(&files(CONFIG, &survey, &[])),
        "personas/anni.yaml:9:11: survey conditions need a name and a pattern",
        "",
    );
}

#[test]
fn a_rule_repeated_by_a_later_persona_is_a_warning() {
    let mut all = files(
        CONFIG,
        &format!("{PERSONA}rules: {{properties: {{customer_type: b2c}}}}\n"),
        &[],
    );
    all.push(WorkspaceFile {
        path: "personas/bertta.yaml".into(),
        text: "id: bertta\nname: Bertta\nrules:\n  - event: purchase\n  - properties:\n      customer_type: b2c\n".into(),
    });
    let found = findings(&all);
    assert!(found.iter().all(|f| !f.contains("error")), "{found:#?}");
    let shadowed: Vec<&String> = found.iter().filter(|f| f.contains("same rule")).collect();
    assert_eq!(shadowed.len(), 1, "{found:#?}");
    assert!(
        shadowed[0]
            .starts_with("personas/bertta.yaml:5:5: warning: persona `anni` has the same rule"),
        "{}",
        shadowed[0]
    );
}

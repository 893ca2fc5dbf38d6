//! A map or persona written as YAML and read back is unchanged, whatever it holds.

use polku_model::{
    Cited, EventMatch, EvidenceKind, EvidenceRef, JourneyMap, Kpi, KpiLayer, MapId, MapKind,
    Opportunity, OpportunityStatus, Persona, PersonaId, PersonaRule, Stage, StageId, Step, TeamId,
    Touchpoint, TouchpointId, TouchpointKind,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,10}"
}

/// Texts that stress YAML: Finnish letters, quotes, colons, leading spaces, numbers and words
/// YAML would read as other types (`yes`, `null`, `1e3`).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~äöåÄÖÅ€–“”\\n]{1,40}",
        Just("yes".to_owned()),
        Just("null".to_owned()),
        Just("1e3".to_owned()),
        Just("- item".to_owned()),
        Just(" leading and trailing ".to_owned()),
        Just("key: value # not a comment".to_owned()),
    ]
}

fn evidence() -> impl Strategy<Value = EvidenceRef> {
    (
        prop::sample::select(EvidenceKind::ALL.to_vec()),
        "[a-z0-9][a-z0-9 _.-]{0,8}[a-z0-9]",
    )
        .prop_map(|(kind, reference)| EvidenceRef { kind, reference })
}

fn cited() -> impl Strategy<Value = Cited> {
    (text(), vec(evidence(), 0..3)).prop_map(|(text, evidence)| Cited { text, evidence })
}

fn emotion() -> impl Strategy<Value = Option<i8>> {
    option::of(-3i8..=3)
}

fn team() -> impl Strategy<Value = Option<TeamId>> {
    option::of(id().prop_map(|s| TeamId::new(s).unwrap()))
}

fn step() -> impl Strategy<Value = Step> {
    (
        text(),
        emotion(),
        vec("[A-Za-zäö ]{1,10}", 0..3),
        vec(evidence(), 0..2),
    )
        .prop_map(|(text, emotion, actors, evidence)| Step {
            text,
            emotion,
            actors,
            evidence,
        })
}

fn touchpoint() -> impl Strategy<Value = Touchpoint> {
    (
        id(),
        text(),
        prop::sample::select(vec![
            TouchpointKind::Digital,
            TouchpointKind::Physical,
            TouchpointKind::Analog,
        ]),
        option::of(text()),
        option::of(text()),
        team(),
        emotion(),
        option::of(text()),
        vec(evidence(), 0..2),
        vec(event_match(), 0..3),
    )
        .prop_map(
            |(id, name, kind, channel, format, owner, emotion, notes, evidence, matches)| {
                Touchpoint {
                    id: TouchpointId::new(id).unwrap(),
                    name,
                    kind,
                    channel,
                    format,
                    owner,
                    emotion,
                    catalogue: None,
                    notes,
                    evidence,
                    matches,
                }
            },
        )
}

fn event_match() -> impl Strategy<Value = EventMatch> {
    (
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of("[a-z*?]{1,6}"),
        option::of(text()),
        option::of("[a-z/*?.]{1,12}"),
        prop::collection::btree_map("[a-z_]{1,6}", text(), 0..3),
    )
        .prop_map(
            |(event, channel, source, medium, campaign, url, properties)| EventMatch {
                event,
                channel,
                source,
                medium,
                campaign,
                url,
                properties,
            },
        )
}

fn persona_rule() -> impl Strategy<Value = PersonaRule> {
    (
        (
            option::of(text()),
            option::of("[a-z*?]{1,6}"),
            option::of(text()),
        ),
        (option::of(text()), option::of("[a-z_*]{1,8}")),
        (
            prop::collection::btree_map("[a-z_]{1,6}", text(), 0..3),
            prop::collection::btree_map("[A-Za-zäö0-9?][A-Za-z0-9 ?äö:-]{0,29}", text(), 0..3),
        ),
    )
        .prop_map(
            |(
                (first_channel, first_source, first_campaign),
                (channel, event),
                (properties, survey),
            )| {
                PersonaRule {
                    first_channel,
                    first_source,
                    first_campaign,
                    channel,
                    event,
                    properties,
                    survey,
                }
            },
        )
}

fn kpi() -> impl Strategy<Value = Kpi> {
    (
        text(),
        option::of(prop::sample::select(vec![
            KpiLayer::User,
            KpiLayer::Traffic,
            KpiLayer::Sales,
        ])),
        option::of(prop::num::f64::NORMAL | prop::num::f64::ZERO),
        option::of(text()),
    )
        .prop_map(|(name, layer, target, unit)| Kpi {
            name,
            layer,
            target,
            unit,
        })
}

fn opportunity() -> impl Strategy<Value = Opportunity> {
    (
        text(),
        option::of(1u8..=5),
        option::of(1u8..=5),
        team(),
        prop::sample::select(vec![
            OpportunityStatus::Idea,
            OpportunityStatus::Planned,
            OpportunityStatus::InProgress,
            OpportunityStatus::Done,
        ]),
    )
        .prop_map(|(title, value, effort, owner, status)| Opportunity {
            title,
            value,
            effort,
            owner,
            status,
        })
}

fn stage() -> impl Strategy<Value = Stage> {
    (
        id(),
        option::of(text()),
        team(),
        vec(cited(), 0..3),
        vec(step(), 0..3),
        vec(touchpoint(), 0..3),
        vec(cited(), 0..3),
        vec(cited(), 0..2),
        vec(kpi(), 0..2),
        vec(opportunity(), 0..2),
    )
        .prop_map(
            |(
                stage,
                name,
                owner,
                goals,
                actions,
                touchpoints,
                pain_points,
                moments_of_truth,
                kpis,
                opportunities,
            )| Stage {
                stage: StageId::new(stage).unwrap(),
                name,
                phase: None,
                owner,
                goals,
                actions,
                touchpoints,
                pain_points,
                moments_of_truth,
                kpis,
                opportunities,
            },
        )
}

fn map() -> impl Strategy<Value = JourneyMap> {
    (
        id(),
        text(),
        option::of(id()),
        prop::sample::select(vec![
            MapKind::Current,
            MapKind::Future,
            MapKind::DayInTheLife,
        ]),
        option::of(id()),
        option::of(text()),
        vec(stage(), 0..5),
    )
        .prop_map(
            |(id, title, persona, kind, improves, description, stages)| JourneyMap {
                id: MapId::new(id).unwrap(),
                title,
                persona: persona.map(|p| PersonaId::new(p).unwrap()),
                kind,
                improves: improves.map(|m| MapId::new(m).unwrap()),
                description,
                conversion: None,
                stages,
            },
        )
}

fn persona() -> impl Strategy<Value = Persona> {
    (
        (
            id(),
            text(),
            option::of(text()),
            option::of(cited()),
            option::of(cited()),
            option::of(cited()),
        ),
        (
            option::of(cited()),
            option::of(cited()),
            vec(cited(), 0..3),
            vec(cited(), 0..3),
            vec(cited(), 0..3),
        ),
        (
            vec(cited(), 0..3),
            vec(cited(), 0..3),
            vec(cited(), 0..3),
            vec(cited(), 0..3),
            vec(cited(), 0..3),
        ),
        vec(persona_rule(), 0..3),
    )
        .prop_map(
            |(
                (id, name, summary, quote, age, education),
                (role, reports_to, goals, dreams, problems),
                (behaviour, motives, information_sources, social_channels, objections),
                rules,
            )| Persona {
                id: PersonaId::new(id).unwrap(),
                name,
                summary,
                quote,
                age,
                education,
                role,
                reports_to,
                goals,
                dreams,
                problems,
                behaviour,
                motives,
                information_sources,
                social_channels,
                objections,
                rules,
                ..Persona::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn maps_survive_a_yaml_round_trip(map in map()) {
        let yaml = serde_norway::to_string(&map).unwrap();
        let back: JourneyMap = polku_model::parse("m.yaml", &yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?.doc;
        prop_assert_eq!(back, map, "{}", yaml);
    }

    #[test]
    fn personas_survive_a_yaml_round_trip(persona in persona()) {
        let yaml = serde_norway::to_string(&persona).unwrap();
        let back: Persona = polku_model::parse("p.yaml", &yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?.doc;
        prop_assert_eq!(back, persona, "{}", yaml);
    }
}

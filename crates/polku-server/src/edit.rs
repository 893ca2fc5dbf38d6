//! Turning the fields of the edit forms into changed documents.
//!
//! Lists are edited as text, one item a line. An item whose text is unchanged keeps what the
//! form does not show (its evidence, an action's emotion, an opportunity's scores), so editing
//! one line never strips the evidence from the others.

use polku_model::catalogue::Catalogue;
use polku_model::{
    Cited, JourneyMap, Language, Opportunity, Persona, Stage, Step, TeamId, Touchpoint,
    TouchpointId, slugify,
};

use crate::error::ServerError;

/// The fields of a submitted form, in order; names may repeat.
#[derive(Debug, Default)]
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The non-empty lines of a text area, trimmed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Rebuilds a list from lines, keeping the old item of each unchanged line.
fn merge<T: Clone>(
    old: &[T],
    text: &str,
    text_of: impl Fn(&T) -> &str,
    new: impl Fn(&str) -> T,
) -> Vec<T> {
    let mut used = vec![false; old.len()];
    lines(text)
        .map(|line| {
            let found = old
                .iter()
                .enumerate()
                .find(|(i, item)| !used[*i] && text_of(item) == line);
            match found {
                Some((i, item)) => {
                    used[i] = true;
                    item.clone()
                }
                None => new(line),
            }
        })
        .collect()
}

pub(crate) fn merge_cited(old: &[Cited], text: &str) -> Vec<Cited> {
    merge(old, text, |c| c.text.as_str(), |t| Cited::plain(t))
}

fn merge_steps(old: &[Step], text: &str) -> Vec<Step> {
    merge(
        old,
        text,
        |s| s.text.as_str(),
        |t| Step {
            text: t.to_owned(),
            ..Step::default()
        },
    )
}

fn merge_opportunities(
    old: &[Opportunity],
    text: &str,
    owner: Option<&TeamId>,
) -> Vec<Opportunity> {
    merge(
        old,
        text,
        |o| o.title.as_str(),
        |t| Opportunity {
            title: t.to_owned(),
            owner: owner.cloned(),
            ..Opportunity::default()
        },
    )
}

/// The text area form of a list.
pub(crate) fn cited_text(items: &[Cited]) -> String {
    items
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn optional_team(value: Option<&str>) -> Result<Option<TeamId>, ServerError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|e| ServerError::Invalid(format!("owner `{t}`: {e}"))),
    }
}

fn emotion(value: Option<&str>) -> Result<Option<i8>, ServerError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .trim_start_matches('+')
            .parse::<i8>()
            .map(Some)
            .map_err(|_| {
                ServerError::Invalid(format!("emotion `{v}` is not a number from −3 to +3"))
            }),
    }
}

/// Applies the map edit form to `map`. Fields: `title`; per stage `i`: `s{i}.owner`,
/// `s{i}.goals`, `s{i}.actions`, `s{i}.pain_points`, `s{i}.moments_of_truth`,
/// `s{i}.opportunities` (one item a line), `s{i}.add` (catalogue ids to add, repeatable); per
/// touchpoint `j` of stage `i`: `s{i}.t{j}.name`, `.emotion`, `.owner`, `.remove`.
///
/// Fields left out of the form leave their part of the map as it is.
pub(crate) fn apply_map_form(
    map: &mut JourneyMap,
    fields: &Fields,
    lang: Language,
) -> Result<(), ServerError> {
    if let Some(title) = fields.get("title") {
        let title = title.trim();
        if title.is_empty() {
            return Err(ServerError::Invalid("the map needs a title".into()));
        }
        title.clone_into(&mut map.title);
    }
    let mut taken: Vec<String> = map
        .stages
        .iter()
        .flat_map(|s| s.touchpoints.iter().map(|t| t.id.as_str().to_owned()))
        .collect();
    for (i, stage) in map.stages.iter_mut().enumerate() {
        let key = |f: &str| format!("s{i}.{f}");
        if let Some(owner) = fields.get(&key("owner")) {
            stage.owner = optional_team(Some(owner))?;
        }
        if let Some(t) = fields.get(&key("goals")) {
            stage.goals = merge_cited(&stage.goals, t);
        }
        if let Some(t) = fields.get(&key("actions")) {
            stage.actions = merge_steps(&stage.actions, t);
        }
        if let Some(t) = fields.get(&key("pain_points")) {
            stage.pain_points = merge_cited(&stage.pain_points, t);
        }
        if let Some(t) = fields.get(&key("moments_of_truth")) {
            stage.moments_of_truth = merge_cited(&stage.moments_of_truth, t);
        }
        if let Some(t) = fields.get(&key("opportunities")) {
            stage.opportunities =
                merge_opportunities(&stage.opportunities, t, stage.owner.as_ref());
        }
        let mut kept = Vec::with_capacity(stage.touchpoints.len());
        for (j, mut tp) in std::mem::take(&mut stage.touchpoints)
            .into_iter()
            .enumerate()
        {
            let tkey = |f: &str| format!("s{i}.t{j}.{f}");
            if fields.get(&tkey("remove")).is_some() {
                continue;
            }
            if let Some(name) = fields.get(&tkey("name")) {
                let name = name.trim();
                if name.is_empty() {
                    return Err(ServerError::Invalid(format!(
                        "touchpoint `{}` needs a name (tick “remove” to delete it)",
                        tp.id.as_str()
                    )));
                }
                name.clone_into(&mut tp.name);
            }
            if let Some(e) = fields.get(&tkey("emotion")) {
                tp.emotion = emotion(Some(e))?;
            }
            if let Some(o) = fields.get(&tkey("owner")) {
                tp.owner = optional_team(Some(o))?;
            }
            kept.push(tp);
        }
        stage.touchpoints = kept;
        // The catalogue list's empty first choice means "add nothing".
        for id in fields
            .all(&key("add"))
            .map(str::trim)
            .filter(|id| !id.is_empty())
        {
            let tp = from_catalogue(id, stage, lang, &taken)?;
            taken.push(tp.id.as_str().to_owned());
            stage.touchpoints.push(tp);
        }
    }
    Ok(())
}

/// A new touchpoint from the built-in catalogue, with an id unique in the map.
fn from_catalogue(
    id: &str,
    stage: &Stage,
    lang: Language,
    taken: &[String],
) -> Result<Touchpoint, ServerError> {
    let catalogue = Catalogue::builtin();
    let entry = catalogue
        .touchpoints
        .iter()
        .find(|e| e.id.as_str() == id)
        .ok_or_else(|| ServerError::Invalid(format!("no touchpoint `{id}` in the catalogue")))?;
    let base = slugify(entry.id.as_str());
    let mut tp_id = base.clone();
    let mut n = 2;
    while taken.contains(&tp_id) {
        tp_id = format!("{base}-{n}");
        n += 1;
    }
    Ok(Touchpoint {
        id: TouchpointId::new(tp_id).map_err(|e| ServerError::Invalid(e.to_string()))?,
        name: entry.name.get(lang).to_owned(),
        kind: entry.kind,
        channel: Some(entry.channel.get(lang).to_owned()),
        format: entry.format.as_ref().map(|f| f.get(lang).to_owned()),
        owner: stage.owner.clone(),
        catalogue: Some(entry.id.clone()),
        ..Touchpoint::default()
    })
}

fn optional_cited(old: Option<&Cited>, value: &str) -> Option<Cited> {
    let value = value.trim();
    if value.is_empty() {
        None
    } else if old.is_some_and(|c| c.text == value) {
        old.cloned()
    } else {
        Some(Cited::plain(value))
    }
}

/// The persona fields that are one text each.
pub(crate) const PERSONA_FACTS: [&str; 6] =
    ["quote", "age", "education", "role", "reports_to", "context"];
/// The persona fields that are lists.
pub(crate) const PERSONA_LISTS: [&str; 9] = [
    "goals",
    "dreams",
    "problems",
    "behaviour",
    "motives",
    "judged_by",
    "information_sources",
    "social_channels",
    "objections",
];

pub(crate) fn persona_fact_mut<'a>(
    p: &'a mut Persona,
    name: &str,
) -> Option<&'a mut Option<Cited>> {
    Some(match name {
        "quote" => &mut p.quote,
        "age" => &mut p.age,
        "education" => &mut p.education,
        "role" => &mut p.role,
        "reports_to" => &mut p.reports_to,
        "context" => &mut p.context,
        _ => return None,
    })
}

pub(crate) fn persona_list_mut<'a>(p: &'a mut Persona, name: &str) -> Option<&'a mut Vec<Cited>> {
    Some(match name {
        "goals" => &mut p.goals,
        "dreams" => &mut p.dreams,
        "problems" => &mut p.problems,
        "behaviour" => &mut p.behaviour,
        "motives" => &mut p.motives,
        "judged_by" => &mut p.judged_by,
        "information_sources" => &mut p.information_sources,
        "social_channels" => &mut p.social_channels,
        "objections" => &mut p.objections,
        _ => return None,
    })
}

/// Applies the persona edit form: `name`, `summary`, the facts and the lists by field name.
pub(crate) fn apply_persona_form(p: &mut Persona, fields: &Fields) -> Result<(), ServerError> {
    if let Some(name) = fields.get("name") {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServerError::Invalid("the persona needs a name".into()));
        }
        name.clone_into(&mut p.name);
    }
    if let Some(s) = fields.get("summary") {
        let s = s.trim();
        p.summary = (!s.is_empty()).then(|| s.to_owned());
    }
    for name in PERSONA_FACTS {
        if let Some(v) = fields.get(name)
            && let Some(slot) = persona_fact_mut(p, name)
        {
            *slot = optional_cited(slot.as_ref(), v);
        }
    }
    for name in PERSONA_LISTS {
        if let Some(v) = fields.get(name)
            && let Some(list) = persona_list_mut(p, name)
        {
            *list = merge_cited(list, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use polku_model::EvidenceRef;

    use super::*;

    #[test]
    fn unchanged_lines_keep_their_evidence() {
        let cited = Cited {
            text: "Slow answers".into(),
            evidence: vec!["interview:int-01".parse::<EvidenceRef>().unwrap()],
        };
        let old = vec![cited.clone(), Cited::plain("Too many forms")];
        let new = merge_cited(&old, "  New pain\nSlow answers\n\n");
        assert_eq!(new, vec![Cited::plain("New pain"), cited]);
    }

    #[test]
    fn catalogue_touchpoints_get_unique_ids() {
        let mut map = JourneyMap {
            stages: vec![Stage::default()],
            ..JourneyMap::default()
        };
        let entry = &Catalogue::builtin().touchpoints[0];
        let id = entry.id.as_str().to_owned();
        let fields = Fields(vec![
            ("s0.add".into(), id.clone()),
            ("s0.add".into(), id.clone()),
        ]);
        apply_map_form(&mut map, &fields, Language::En).unwrap();
        let ids: Vec<&str> = map.stages[0]
            .touchpoints
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, vec![id.clone(), format!("{id}-2")]);
        assert_eq!(map.stages[0].touchpoints[0].name, entry.name.en);
    }

    #[test]
    fn touchpoint_fields_change_and_remove() {
        let mut map = JourneyMap {
            stages: vec![Stage {
                touchpoints: vec![
                    Touchpoint {
                        id: TouchpointId::new("a").unwrap(),
                        name: "A".into(),
                        ..Touchpoint::default()
                    },
                    Touchpoint {
                        id: TouchpointId::new("b").unwrap(),
                        name: "B".into(),
                        ..Touchpoint::default()
                    },
                ],
                ..Stage::default()
            }],
            ..JourneyMap::default()
        };
        let f = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let fields = Fields(vec![
            f("s0.t0.name", "A2"),
            f("s0.t0.emotion", "+2"),
            f("s0.t1.remove", "on"),
        ]);
        apply_map_form(&mut map, &fields, Language::En).unwrap();
        assert_eq!(map.stages[0].touchpoints.len(), 1);
        assert_eq!(map.stages[0].touchpoints[0].name, "A2");
        assert_eq!(map.stages[0].touchpoints[0].emotion, Some(2));
        let bad = Fields(vec![f("s0.t0.emotion", "lots")]);
        assert!(apply_map_form(&mut map, &bad, Language::En).is_err());
    }
}

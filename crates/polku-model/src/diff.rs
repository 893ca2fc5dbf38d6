//! Current vs future: what a future-state map changes.
//!
//! [`diff_maps`] compares two maps of the same journey, stage by stage. Touchpoints are matched
//! by id: a touchpoint only in the future map is *added*, one only in the current map is
//! *removed*, and one in both whose name, kind, channel, format, owner, stage or emotion
//! differs is *changed*. Pain points are matched by text within a stage (ignoring case,
//! spacing and a final full stop): one in the current map that the future map no longer lists
//! in that stage is *solved*. Each stage also carries the mean emotion of both maps, which is
//! what the two emotion curves of the diff picture are drawn from.
//!
//! The comparison is pure; [`MapDiff::summary`] turns it into the text `polku diff` prints.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::ids::{StageId, TeamId, TouchpointId};
use crate::text::Cited;
use crate::types::{JourneyMap, Language, Stage, Touchpoint, TouchpointKind, WorkspaceConfig};

/// What a future map changes compared with a current one; see the module docs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapDiff {
    /// The current map's title.
    pub current_title: String,
    /// The future map's title.
    pub future_title: String,
    /// Every stage of either map: the future map's order, with stages only the current map has
    /// kept after the stage that precedes them there.
    pub stages: Vec<StageDiff>,
}

/// What changes in one stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageDiff {
    /// The stage's id.
    pub stage: StageId,
    /// The stage's own name on the maps (the future map's first), if either sets one.
    pub name: Option<String>,
    /// Whether the current map has this stage.
    pub in_current: bool,
    /// Whether the future map has this stage.
    pub in_future: bool,
    /// The current map's mean emotion in this stage, if anything there is scored.
    pub current_emotion: Option<f64>,
    /// The future map's mean emotion in this stage, if anything there is scored.
    pub future_emotion: Option<f64>,
    /// Touchpoints of the future map in this stage whose id the current map does not have.
    pub added: Vec<Touchpoint>,
    /// Touchpoints of the current map in this stage whose id the future map does not have.
    pub removed: Vec<Touchpoint>,
    /// Touchpoints in both maps that differ, listed in the stage where the future map has them.
    pub changed: Vec<TouchpointChange>,
    /// Touchpoints of the future map in this stage that are the same in both maps.
    pub unchanged: Vec<Touchpoint>,
    /// Pain points of the current map in this stage that the future map no longer lists here.
    pub pain_points_solved: Vec<Cited>,
    /// Pain points listed in this stage by both maps.
    pub pain_points_kept: Vec<Cited>,
    /// Pain points the future map lists in this stage that the current map does not.
    pub pain_points_new: Vec<Cited>,
}

/// A touchpoint that both maps have, with what differs.
#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointChange {
    /// The touchpoint as the current map has it.
    pub before: Touchpoint,
    /// The touchpoint as the future map has it.
    pub after: Touchpoint,
    /// The current map's stage of the touchpoint.
    pub before_stage: StageId,
    /// The future map's stage of the touchpoint.
    pub after_stage: StageId,
    /// The team owning the touchpoint in the current map (its own owner, else its stage's).
    pub before_owner: Option<TeamId>,
    /// The team owning the touchpoint in the future map (its own owner, else its stage's).
    pub after_owner: Option<TeamId>,
    /// What differs, in a fixed order.
    pub fields: Vec<ChangedField>,
}

/// A property of a touchpoint that a future map can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangedField {
    /// The name.
    Name,
    /// Digital, physical or analog.
    Kind,
    /// The channel.
    Channel,
    /// The content format.
    Format,
    /// The owning team (the touchpoint's own, else its stage's).
    Owner,
    /// The stage the touchpoint sits in.
    Stage,
    /// The emotion score.
    Emotion,
}

impl MapDiff {
    /// Touchpoints added by the future map, in stage order.
    pub fn added(&self) -> impl Iterator<Item = &Touchpoint> {
        self.stages.iter().flat_map(|s| &s.added)
    }

    /// Touchpoints the future map drops, in stage order.
    pub fn removed(&self) -> impl Iterator<Item = &Touchpoint> {
        self.stages.iter().flat_map(|s| &s.removed)
    }

    /// Touchpoints that differ, in stage order.
    pub fn changed(&self) -> impl Iterator<Item = &TouchpointChange> {
        self.stages.iter().flat_map(|s| &s.changed)
    }

    /// Pain points the future map solves, in stage order.
    pub fn pain_points_solved(&self) -> impl Iterator<Item = &Cited> {
        self.stages.iter().flat_map(|s| &s.pain_points_solved)
    }

    /// Whether the two maps have the same touchpoints, pain points and emotions.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.stages.iter().all(|s| {
            s.in_current == s.in_future
                && s.added.is_empty()
                && s.removed.is_empty()
                && s.changed.is_empty()
                && s.pain_points_solved.is_empty()
                && s.pain_points_new.is_empty()
                && s.current_emotion == s.future_emotion
        })
    }

    /// A plain-text summary in the workspace's language: totals first, then per stage the
    /// emotion change and every added (`+`), removed (`-`) and changed (`~`) touchpoint and
    /// every solved (`✓`) and new (`!`) pain point.
    #[must_use]
    pub fn summary(&self, workspace: &WorkspaceConfig) -> String {
        let w = Words::of(workspace.language);
        let lang = workspace.language;
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", w.current, self.current_title);
        let _ = writeln!(out, "{}: {}", w.future, self.future_title);
        out.push('\n');
        let unchanged: usize = self.stages.iter().map(|s| s.unchanged.len()).sum();
        let _ = writeln!(
            out,
            "{}: {} {}, {} {}, {} {}, {} {}",
            w.touchpoints,
            self.added().count(),
            w.added,
            self.removed().count(),
            w.removed,
            self.changed().count(),
            w.changed,
            unchanged,
            w.unchanged,
        );
        let solved = self.pain_points_solved().count();
        let before: usize = self
            .stages
            .iter()
            .map(|s| s.pain_points_solved.len() + s.pain_points_kept.len())
            .sum();
        let new: usize = self.stages.iter().map(|s| s.pain_points_new.len()).sum();
        let _ = writeln!(
            out,
            "{}: {solved}/{before} {}, {new} {}",
            w.pain_points, w.solved, w.new
        );
        for stage in &self.stages {
            out.push('\n');
            let _ = write!(out, "{}", stage.display_name(workspace));
            if !stage.in_future {
                let _ = write!(out, " ({})", w.stage_dropped);
            } else if !stage.in_current {
                let _ = write!(out, " ({})", w.stage_new);
            }
            match (stage.current_emotion, stage.future_emotion) {
                (Some(a), Some(b)) => {
                    let _ = write!(
                        out,
                        " · {} {} → {} ({})",
                        w.emotion,
                        fmt_signed(lang, a),
                        fmt_signed(lang, b),
                        fmt_signed(lang, b - a)
                    );
                }
                (Some(a), None) => {
                    let _ = write!(out, " · {} {} → –", w.emotion, fmt_signed(lang, a));
                }
                (None, Some(b)) => {
                    let _ = write!(out, " · {} – → {}", w.emotion, fmt_signed(lang, b));
                }
                (None, None) => {}
            }
            out.push('\n');
            for t in &stage.added {
                let _ = writeln!(out, "  + {}{}", t.name, describe(t, w));
            }
            for t in &stage.removed {
                let _ = writeln!(out, "  - {}", t.name);
            }
            for c in &stage.changed {
                let _ = writeln!(out, "  ~ {}: {}", c.after.name, c.describe(workspace));
            }
            for p in &stage.pain_points_solved {
                let _ = writeln!(out, "  ✓ {}", p.text);
            }
            for p in &stage.pain_points_new {
                let _ = writeln!(out, "  ! {}", p.text);
            }
            let quiet = stage.added.is_empty()
                && stage.removed.is_empty()
                && stage.changed.is_empty()
                && stage.pain_points_solved.is_empty()
                && stage.pain_points_new.is_empty();
            if quiet {
                let _ = writeln!(out, "  {}", w.no_changes);
            }
        }
        out
    }
}

impl StageDiff {
    /// The stage's display name: its own name on the maps, else the workspace's, else its id.
    #[must_use]
    pub fn display_name<'a>(&'a self, workspace: &'a WorkspaceConfig) -> &'a str {
        self.name
            .as_deref()
            .or_else(|| workspace.stage(&self.stage).map(|s| s.name.as_str()))
            .unwrap_or(self.stage.as_str())
    }
}

impl TouchpointChange {
    /// What changed, as text in the workspace's language, e.g.
    /// `channel email → chat, emotion −1 → +2`.
    #[must_use]
    pub fn describe(&self, workspace: &WorkspaceConfig) -> String {
        let w = Words::of(workspace.language);
        let lang = workspace.language;
        let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "–".to_owned());
        let team = |t: &Option<TeamId>| {
            t.as_ref().map_or_else(
                || "–".to_owned(),
                |id| {
                    workspace
                        .team(id)
                        .map_or_else(|| id.to_string(), |t| t.name.clone())
                },
            )
        };
        let stage = |id: &StageId| {
            workspace
                .stage(id)
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        };
        let emotion =
            |e: Option<i8>| e.map_or_else(|| "–".to_owned(), |e| fmt_signed(lang, f64::from(e)));
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|f| match f {
                ChangedField::Name => {
                    format!("{} ”{}” → ”{}”", w.name, self.before.name, self.after.name)
                }
                ChangedField::Kind => format!(
                    "{} {} → {}",
                    w.kind,
                    w.kind_name(self.before.kind),
                    w.kind_name(self.after.kind)
                ),
                ChangedField::Channel => format!(
                    "{} {} → {}",
                    w.channel,
                    opt(&self.before.channel),
                    opt(&self.after.channel)
                ),
                ChangedField::Format => format!(
                    "{} {} → {}",
                    w.format,
                    opt(&self.before.format),
                    opt(&self.after.format)
                ),
                ChangedField::Owner => format!(
                    "{} {} → {}",
                    w.owner,
                    team(&self.before_owner),
                    team(&self.after_owner)
                ),
                ChangedField::Stage => format!(
                    "{} {} → {}",
                    w.stage,
                    stage(&self.before_stage),
                    stage(&self.after_stage)
                ),
                ChangedField::Emotion => format!(
                    "{} {} → {}",
                    w.emotion,
                    emotion(self.before.emotion),
                    emotion(self.after.emotion)
                ),
            })
            .collect();
        parts.join(", ")
    }
}

/// Compares a current map with a future one; see the module docs.
#[must_use]
pub fn diff_maps(current: &JourneyMap, future: &JourneyMap) -> MapDiff {
    let order = stage_order(current, future);
    let cur_stage = first_by_id(&current.stages);
    let fut_stage = first_by_id(&future.stages);
    let cur_tp = touchpoints_by_id(current);
    let fut_tp = touchpoints_by_id(future);

    let mut stages: Vec<StageDiff> = order
        .iter()
        .map(|id| {
            let c = cur_stage.get(id).copied();
            let f = fut_stage.get(id).copied();
            StageDiff {
                stage: (*id).clone(),
                name: f
                    .and_then(|s| s.name.clone())
                    .or_else(|| c.and_then(|s| s.name.clone())),
                in_current: c.is_some(),
                in_future: f.is_some(),
                current_emotion: c.and_then(Stage::mean_emotion),
                future_emotion: f.and_then(Stage::mean_emotion),
                ..StageDiff::default()
            }
        })
        .collect();
    let slot: HashMap<&StageId, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    for stage in &future.stages {
        let diff = &mut stages[slot[&stage.stage]];
        for t in &stage.touchpoints {
            if fut_tp
                .get(&t.id)
                .is_some_and(|(_, first)| !std::ptr::eq(*first, t))
            {
                continue; // a duplicate id; validation reports it
            }
            match cur_tp.get(&t.id) {
                None => diff.added.push(t.clone()),
                Some((cs, before)) => {
                    let change = compare(before, cs, t, stage);
                    if change.fields.is_empty() {
                        diff.unchanged.push(t.clone());
                    } else {
                        diff.changed.push(change);
                    }
                }
            }
        }
    }
    for stage in &current.stages {
        let diff = &mut stages[slot[&stage.stage]];
        for t in &stage.touchpoints {
            if !fut_tp.contains_key(&t.id) && !diff.removed.iter().any(|r| r.id == t.id) {
                diff.removed.push(t.clone());
            }
        }
    }
    for diff in &mut stages {
        let before: &[Cited] = cur_stage.get(&diff.stage).map_or(&[], |s| &s.pain_points);
        let after: &[Cited] = fut_stage.get(&diff.stage).map_or(&[], |s| &s.pain_points);
        for p in before {
            if after.iter().any(|q| same_text(&p.text, &q.text)) {
                diff.pain_points_kept.push(p.clone());
            } else {
                diff.pain_points_solved.push(p.clone());
            }
        }
        for q in after {
            if !before.iter().any(|p| same_text(&p.text, &q.text)) {
                diff.pain_points_new.push(q.clone());
            }
        }
    }
    MapDiff {
        current_title: current.title.clone(),
        future_title: future.title.clone(),
        stages,
    }
}

fn compare(before: &Touchpoint, bs: &Stage, after: &Touchpoint, fs: &Stage) -> TouchpointChange {
    let before_owner = before.owner_in(bs).cloned();
    let after_owner = after.owner_in(fs).cloned();
    let mut fields = Vec::new();
    if before.name != after.name {
        fields.push(ChangedField::Name);
    }
    if before.kind != after.kind {
        fields.push(ChangedField::Kind);
    }
    if before.channel != after.channel {
        fields.push(ChangedField::Channel);
    }
    if before.format != after.format {
        fields.push(ChangedField::Format);
    }
    if before_owner != after_owner {
        fields.push(ChangedField::Owner);
    }
    if bs.stage != fs.stage {
        fields.push(ChangedField::Stage);
    }
    if before.emotion != after.emotion {
        fields.push(ChangedField::Emotion);
    }
    TouchpointChange {
        before: before.clone(),
        after: after.clone(),
        before_stage: bs.stage.clone(),
        after_stage: fs.stage.clone(),
        before_owner,
        after_owner,
        fields,
    }
}

/// The union of both maps' stage ids: the future map's order, with each stage only the current
/// map has placed after its nearest predecessor in the current map.
fn stage_order<'a>(current: &'a JourneyMap, future: &'a JourneyMap) -> Vec<&'a StageId> {
    let mut order: Vec<&StageId> = Vec::new();
    for s in &future.stages {
        if !order.contains(&&s.stage) {
            order.push(&s.stage);
        }
    }
    let mut insert_at = 0;
    for s in &current.stages {
        if let Some(i) = order.iter().position(|id| **id == s.stage) {
            insert_at = i + 1;
        } else {
            order.insert(insert_at, &s.stage);
            insert_at += 1;
        }
    }
    order
}

fn first_by_id(stages: &[Stage]) -> HashMap<&StageId, &Stage> {
    let mut map = HashMap::new();
    for s in stages {
        map.entry(&s.stage).or_insert(s);
    }
    map
}

fn touchpoints_by_id(map: &JourneyMap) -> HashMap<&TouchpointId, (&Stage, &Touchpoint)> {
    let mut out = HashMap::new();
    for s in &map.stages {
        for t in &s.touchpoints {
            out.entry(&t.id).or_insert((s, t));
        }
    }
    out
}

/// Whether two pain point texts say the same, ignoring case, spacing and a final full stop.
fn same_text(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        let s = s.trim().trim_end_matches(['.', '!']);
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }
    norm(a) == norm(b)
}

fn describe(t: &Touchpoint, w: &Words) -> String {
    let mut parts = vec![w.kind_name(t.kind).to_owned()];
    parts.extend(t.channel.iter().cloned());
    parts.extend(t.format.iter().cloned());
    format!(" ({})", parts.join(" · "))
}

/// A signed number with at most one decimal, in the language's notation: `+1,5` and `−0,5` in
/// Finnish, `+1.5` and `-0.5` in English.
fn fmt_signed(lang: Language, x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let sign = if r > 0.0 {
        "+"
    } else if r < 0.0 {
        match lang {
            Language::Fi => "−",
            Language::En => "-",
        }
    } else {
        ""
    };
    let abs = r.abs();
    let body = if (abs - abs.round()).abs() < 1e-9 {
        format!("{abs:.0}")
    } else {
        format!("{abs:.1}")
    };
    match lang {
        Language::Fi => format!("{sign}{}", body.replace('.', ",")),
        Language::En => format!("{sign}{body}"),
    }
}

/// The words of the summary in one language.
struct Words {
    current: &'static str,
    future: &'static str,
    touchpoints: &'static str,
    added: &'static str,
    removed: &'static str,
    changed: &'static str,
    unchanged: &'static str,
    pain_points: &'static str,
    solved: &'static str,
    new: &'static str,
    emotion: &'static str,
    stage_dropped: &'static str,
    stage_new: &'static str,
    no_changes: &'static str,
    name: &'static str,
    kind: &'static str,
    channel: &'static str,
    format: &'static str,
    owner: &'static str,
    stage: &'static str,
    kinds: [&'static str; 3],
}

impl Words {
    fn of(lang: Language) -> &'static Words {
        match lang {
            Language::Fi => &FI,
            Language::En => &EN,
        }
    }

    fn kind_name(&self, kind: TouchpointKind) -> &'static str {
        match kind {
            TouchpointKind::Digital => self.kinds[0],
            TouchpointKind::Physical => self.kinds[1],
            TouchpointKind::Analog => self.kinds[2],
        }
    }
}

static FI: Words = Words {
    current: "Nykytila",
    future: "Tavoitetila",
    touchpoints: "Kosketuspisteet",
    added: "uutta",
    removed: "poistettu",
    changed: "muuttunut",
    unchanged: "ennallaan",
    pain_points: "Kipupisteet",
    solved: "ratkaistu",
    new: "uutta",
    emotion: "tunne",
    stage_dropped: "vaihe poistuu",
    stage_new: "uusi vaihe",
    no_changes: "ei muutoksia",
    name: "nimi",
    kind: "tyyppi",
    channel: "kanava",
    format: "sisältömuoto",
    owner: "omistaja",
    stage: "vaihe",
    kinds: ["digitaalinen", "fyysinen", "analoginen"],
};

static EN: Words = Words {
    current: "Current state",
    future: "Future state",
    touchpoints: "Touchpoints",
    added: "added",
    removed: "removed",
    changed: "changed",
    unchanged: "unchanged",
    pain_points: "Pain points",
    solved: "solved",
    new: "new",
    emotion: "emotion",
    stage_dropped: "stage dropped",
    stage_new: "new stage",
    no_changes: "no changes",
    name: "name",
    kind: "kind",
    channel: "channel",
    format: "format",
    owner: "owner",
    stage: "stage",
    kinds: ["digital", "physical", "analog"],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{MapKind, StageDef, Step, Team};

    fn id<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        s.parse().unwrap()
    }

    fn tp(tid: &str, name: &str, channel: &str, emotion: Option<i8>) -> Touchpoint {
        Touchpoint {
            id: id(tid),
            name: name.into(),
            channel: Some(channel.into()),
            emotion,
            ..Touchpoint::default()
        }
    }

    fn stage(sid: &str, tps: Vec<Touchpoint>, pains: &[&str]) -> Stage {
        Stage {
            stage: id(sid),
            touchpoints: tps,
            pain_points: pains.iter().map(|p| Cited::plain(*p)).collect(),
            ..Stage::default()
        }
    }

    fn current() -> JourneyMap {
        JourneyMap {
            id: id("nyky"),
            title: "Nykytila".into(),
            stages: vec![
                stage(
                    "awareness",
                    vec![
                        tp("fair", "Messut", "tapahtuma", Some(1)),
                        tp("ads", "Mainos", "LinkedIn", Some(-1)),
                    ],
                    &["Ei tiedä meistä", "Mainos on sekava."],
                ),
                stage(
                    "purchase",
                    vec![tp("quote", "Tarjous", "sähköposti", Some(-2))],
                    &["Hinta epäselvä"],
                ),
                stage(
                    "legacy",
                    vec![tp("fax", "Faksi", "faksi", None)],
                    &["Faksi hukkuu"],
                ),
            ],
            ..JourneyMap::default()
        }
    }

    fn future() -> JourneyMap {
        let mut purchase = stage(
            "purchase",
            vec![
                tp("quote", "Tarjous", "chat", Some(2)),
                tp("calc", "Hintalaskuri", "verkko", Some(2)),
            ],
            &["Sopimus on pitkä"],
        );
        purchase.owner = Some(id("sales"));
        JourneyMap {
            id: id("tavoite"),
            title: "Tavoitetila".into(),
            kind: MapKind::Future,
            stages: vec![
                stage(
                    "awareness",
                    vec![
                        tp("ads", "Mainos", "LinkedIn", Some(-1)),
                        tp("webinar", "Webinaari", "verkko", Some(2)),
                    ],
                    &["  mainos on SEKAVA "],
                ),
                purchase,
            ],
            ..JourneyMap::default()
        }
    }

    fn workspace(language: Language) -> WorkspaceConfig {
        WorkspaceConfig {
            name: "Testi".into(),
            language,
            stages: vec![
                StageDef {
                    id: id("awareness"),
                    name: "Tietoisuus".into(),
                    phase: None,
                    description: None,
                },
                StageDef {
                    id: id("purchase"),
                    name: "Ostaminen".into(),
                    phase: None,
                    description: None,
                },
            ],
            teams: vec![Team {
                id: id("sales"),
                name: "Myynti".into(),
                color: None,
            }],
            channel_groups: vec![],
        }
    }

    #[test]
    fn touchpoints_are_matched_by_id() {
        let d = diff_maps(&current(), &future());
        let ids = |it: Vec<&Touchpoint>| it.iter().map(|t| t.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(d.added().collect()), ["webinar", "calc"]);
        assert_eq!(ids(d.removed().collect()), ["fair", "fax"]);
        let changed: Vec<_> = d.changed().collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].after.id.as_str(), "quote");
        assert_eq!(
            changed[0].fields,
            [
                ChangedField::Channel,
                ChangedField::Owner,
                ChangedField::Emotion
            ]
        );
        assert_eq!(d.stages[0].unchanged.len(), 1);
        assert!(!d.is_empty());
    }

    #[test]
    fn a_moved_touchpoint_is_changed_in_its_new_stage() {
        let cur = current();
        let mut fut = cur.clone();
        let fair = fut.stages[0].touchpoints.remove(0);
        fut.stages[1].touchpoints.push(fair);
        let d = diff_maps(&cur, &fut);
        assert_eq!(d.added().count() + d.removed().count(), 0);
        let c = d.changed().next().unwrap();
        assert_eq!(c.fields, [ChangedField::Stage]);
        assert_eq!(c.before_stage.as_str(), "awareness");
        assert!(
            d.stages[1]
                .changed
                .iter()
                .any(|c| c.after.id.as_str() == "fair")
        );
    }

    #[test]
    fn pain_points_are_solved_when_gone_from_the_stage() {
        let d = diff_maps(&current(), &future());
        let texts = |v: &[Cited]| v.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&d.stages[0].pain_points_solved), ["Ei tiedä meistä"]);
        assert_eq!(texts(&d.stages[0].pain_points_kept), ["Mainos on sekava."]);
        assert_eq!(texts(&d.stages[1].pain_points_solved), ["Hinta epäselvä"]);
        assert_eq!(texts(&d.stages[1].pain_points_new), ["Sopimus on pitkä"]);
        assert_eq!(d.pain_points_solved().count(), 3);
    }

    #[test]
    fn stages_only_in_current_keep_their_place() {
        let mut cur = current();
        cur.stages.insert(1, stage("consideration", vec![], &[]));
        let d = diff_maps(&cur, &future());
        let order: Vec<_> = d.stages.iter().map(|s| s.stage.as_str()).collect();
        assert_eq!(order, ["awareness", "consideration", "purchase", "legacy"]);
        assert!(!d.stages[1].in_future && d.stages[1].in_current);
    }

    #[test]
    fn mean_emotions_of_both_maps_per_stage() {
        let mut cur = current();
        cur.stages[0].actions.push(Step {
            text: "Lukee".into(),
            emotion: Some(3),
            ..Step::default()
        });
        let d = diff_maps(&cur, &future());
        assert_eq!(d.stages[0].current_emotion, Some(1.0));
        assert_eq!(d.stages[0].future_emotion, Some(0.5));
        assert_eq!(d.stages[2].future_emotion, None);
    }

    #[test]
    fn identical_maps_have_an_empty_diff() {
        let d = diff_maps(&current(), &current());
        assert!(d.is_empty());
        assert_eq!(d.changed().count(), 0);
    }

    #[test]
    fn summary_speaks_the_workspace_language() {
        let d = diff_maps(&current(), &future());
        let fi = d.summary(&workspace(Language::Fi));
        assert!(
            fi.contains("Kosketuspisteet: 2 uutta, 2 poistettu, 1 muuttunut, 1 ennallaan"),
            "{fi}"
        );
        assert!(fi.contains("Kipupisteet: 3/4 ratkaistu, 1 uutta"), "{fi}");
        assert!(fi.contains("  + Webinaari (digitaalinen · verkko)"), "{fi}");
        assert!(
            fi.contains(
                "  ~ Tarjous: kanava sähköposti → chat, omistaja – → Myynti, tunne −2 → +2"
            ),
            "{fi}"
        );
        assert!(fi.contains("  ✓ Hinta epäselvä"), "{fi}");
        assert!(fi.contains("Ostaminen · tunne −2 → +2 (+4)"), "{fi}");
        assert!(fi.contains("legacy (vaihe poistuu)"), "{fi}");
        let en = d.summary(&workspace(Language::En));
        assert!(
            en.contains("Touchpoints: 2 added, 2 removed, 1 changed, 1 unchanged"),
            "{en}"
        );
        assert!(en.contains("  - Faksi"), "{en}");
        assert!(en.contains("Tietoisuus · emotion 0 → +0.5 (+0.5)"), "{en}");
    }

    #[test]
    fn signed_numbers_follow_the_language() {
        assert_eq!(fmt_signed(Language::Fi, -0.5), "−0,5");
        assert_eq!(fmt_signed(Language::En, -0.5), "-0.5");
        assert_eq!(fmt_signed(Language::Fi, 2.0), "+2");
        assert_eq!(fmt_signed(Language::Fi, 0.04), "0");
    }
}

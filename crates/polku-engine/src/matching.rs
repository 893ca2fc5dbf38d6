//! Binding a map to the data: which touchpoint and stage each event is.
//!
//! A touchpoint's `match` rules (see [`polku_model::EventMatch`]) become query expressions, so
//! matching runs inside the plan: a glob becomes a case-insensitive `LIKE` pattern (`*` → `%`,
//! `?` → `_`, with `%`, `_` and `\` escaped), a property condition looks the value up in the
//! event's JSON properties with `json_prop`. Every field of a rule must match, any rule of a
//! touchpoint may. An event is the first touchpoint in map order (stages left to right,
//! touchpoints top to bottom) that it matches, and its stage is that touchpoint's stage.

use datafusion::logical_expr::expr::Like;
use datafusion::prelude::{Expr, col, lit, when};
use datafusion::scalar::ScalarValue;
use polku_model::{EventMatch, JourneyMap, Touchpoint, Workspace};
use polku_store::schema::event_col;

use crate::error::{AnalyticsError, Result};
use crate::udf::json_prop::json_prop_udf;

/// The `LIKE` pattern (with `\` as the escape character) of a match-rule glob.
#[must_use]
pub fn glob_to_like(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len() + 4);
    for c in glob.chars() {
        match c {
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `value ILIKE pattern`, for a glob.
pub(crate) fn glob_expr(value: Expr, glob: &str) -> Expr {
    Expr::Like(Like::new(
        false,
        Box::new(value),
        Box::new(lit(glob_to_like(glob))),
        Some('\\'),
        true,
    ))
}

/// The column of a match-rule field.
fn field_column(field: &str) -> &'static str {
    match field {
        "event" => event_col::EVENT,
        "channel" => event_col::CHANNEL_GROUP,
        "source" => event_col::SOURCE,
        "medium" => event_col::MEDIUM,
        "campaign" => event_col::CAMPAIGN,
        _ => event_col::URL,
    }
}

/// The condition of one rule: every field matches. An empty rule matches every event.
#[must_use]
pub fn rule_expr(rule: &EventMatch) -> Expr {
    let fields = rule
        .conditions()
        .map(|(field, glob)| glob_expr(col(field_column(field)), glob));
    let properties = rule.properties.iter().map(|(key, glob)| {
        glob_expr(
            json_prop_udf().call(vec![col(event_col::PROPERTIES), lit(key.as_str())]),
            glob,
        )
    });
    fields
        .chain(properties)
        .reduce(Expr::and)
        .unwrap_or_else(|| lit(true))
}

/// The condition of a touchpoint: any of its rules matches. A touchpoint without rules
/// matches nothing.
#[must_use]
pub fn touchpoint_expr(touchpoint: &Touchpoint) -> Expr {
    touchpoint
        .matches
        .iter()
        .map(rule_expr)
        .reduce(Expr::or)
        .unwrap_or_else(|| lit(false))
}

/// One touchpoint of a map that can be matched, with its stage.
#[derive(Debug, Clone)]
pub struct BoundTouchpoint<'a> {
    /// The touchpoint.
    pub touchpoint: &'a Touchpoint,
    /// The index of its stage in the map.
    pub stage_index: usize,
}

/// A journey map bound to the event table.
#[derive(Debug, Clone)]
pub struct MapMatcher<'a> {
    map: &'a JourneyMap,
    bound: Vec<BoundTouchpoint<'a>>,
}

impl<'a> MapMatcher<'a> {
    /// Binds a map. Touchpoints without `match` rules are left out: they cannot be measured.
    #[must_use]
    pub fn new(map: &'a JourneyMap) -> Self {
        let bound = map
            .stages
            .iter()
            .enumerate()
            .flat_map(|(stage_index, stage)| {
                stage
                    .touchpoints
                    .iter()
                    .filter(|t| !t.matches.is_empty())
                    .map(move |touchpoint| BoundTouchpoint {
                        touchpoint,
                        stage_index,
                    })
            })
            .collect();
        MapMatcher { map, bound }
    }

    /// Binds the map with this id from a workspace.
    ///
    /// # Errors
    /// When no map has the id.
    pub fn find(workspace: &'a Workspace, map_id: &str) -> Result<Self> {
        workspace
            .maps
            .iter()
            .find(|m| m.doc.id.as_str() == map_id)
            .map(|m| MapMatcher::new(&m.doc))
            .ok_or_else(|| {
                let known: Vec<&str> = workspace.maps.iter().map(|m| m.doc.id.as_str()).collect();
                AnalyticsError::NotFound(format!(
                    "no map `{map_id}` in the workspace (maps: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// The map.
    #[must_use]
    pub fn map(&self) -> &'a JourneyMap {
        self.map
    }

    /// The touchpoints that have rules, in map order.
    #[must_use]
    pub fn touchpoints(&self) -> &[BoundTouchpoint<'a>] {
        &self.bound
    }

    /// Whether any touchpoint of the map has rules.
    #[must_use]
    pub fn is_bound(&self) -> bool {
        !self.bound.is_empty()
    }

    /// The position (in [`MapMatcher::touchpoints`]) of the touchpoint with this id.
    #[must_use]
    pub fn touchpoint_position(&self, id: &str) -> Option<usize> {
        self.bound
            .iter()
            .position(|b| b.touchpoint.id.as_str() == id)
    }

    /// The index of the map's stage with this id.
    #[must_use]
    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.map.stages.iter().position(|s| s.stage.as_str() == id)
    }

    /// An Int64 expression: the position of the event's touchpoint, NULL when it matches
    /// none.
    #[must_use]
    pub fn touchpoint_position_expr(&self) -> Expr {
        self.case(ScalarValue::Int64(None), |i, _| {
            lit(i64::try_from(i).unwrap_or(i64::MAX))
        })
    }

    /// A Utf8 expression: the id of the event's touchpoint, NULL when it matches none.
    #[must_use]
    pub fn touchpoint_id_expr(&self) -> Expr {
        self.case(ScalarValue::Utf8(None), |_, b| {
            lit(b.touchpoint.id.as_str())
        })
    }

    /// A Utf8 expression: the id of the event's stage, NULL when it matches no touchpoint.
    #[must_use]
    pub fn stage_id_expr(&self) -> Expr {
        self.case(ScalarValue::Utf8(None), |_, b| {
            lit(self.map.stages[b.stage_index].stage.as_str())
        })
    }

    /// An Int64 expression: the index of the event's stage in the map, NULL when it
    /// matches no touchpoint.
    #[must_use]
    pub fn stage_index_expr(&self) -> Expr {
        self.case(ScalarValue::Int64(None), |_, b| {
            lit(i64::try_from(b.stage_index).unwrap_or(i64::MAX))
        })
    }

    /// A CASE over the bound touchpoints; `null` (typed, so a map without rules still gives a
    /// column of the documented type) when none matches or none is bound.
    fn case(&self, null: ScalarValue, value: impl Fn(usize, &BoundTouchpoint<'a>) -> Expr) -> Expr {
        let mut branches = self.bound.iter().enumerate();
        let Some((i, first)) = branches.next() else {
            return lit(null);
        };
        let mut case = when(touchpoint_expr(first.touchpoint), value(i, first));
        for (i, b) in branches {
            case = case.when(touchpoint_expr(b.touchpoint), value(i, b));
        }
        case.end().unwrap_or_else(|_| lit(false))
    }
}

/// What one funnel step or path node refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepTarget {
    /// Events with this name.
    Event(String),
    /// Events bound to the touchpoint at this position of [`MapMatcher::touchpoints`].
    Touchpoint(usize),
    /// Events bound to a touchpoint of the map's stage at this index.
    Stage(usize),
}

/// Resolves step names: a touchpoint id (with rules) of the map, or a stage id of the map with
/// such touchpoints, else an event name.
#[must_use]
pub fn resolve_step(matcher: Option<&MapMatcher<'_>>, name: &str) -> StepTarget {
    if let Some(m) = matcher {
        if let Some(p) = m.touchpoint_position(name) {
            return StepTarget::Touchpoint(p);
        }
        if let Some(s) = m.stage_index(name)
            && m.touchpoints().iter().any(|b| b.stage_index == s)
        {
            return StepTarget::Stage(s);
        }
    }
    StepTarget::Event(name.to_owned())
}

/// Picks the map that names the given steps when no map was asked for: the one map in which
/// any step is a touchpoint with rules, or a stage with such touchpoints. No map when the
/// steps are all event names (maps without rules cannot be measured, so their ids do not
/// count).
///
/// # Errors
/// When steps name touchpoints or stages of more than one map.
pub fn map_for_steps<'a>(
    workspace: &'a Workspace,
    steps: &[String],
) -> Result<Option<MapMatcher<'a>>> {
    let mut found: Vec<&'a JourneyMap> = Vec::new();
    for m in &workspace.maps {
        let map = &m.doc;
        let names = |s: &String| {
            map.stages.iter().any(|st| {
                let bound = st.touchpoints.iter().filter(|t| !t.matches.is_empty());
                let mut bound = bound.peekable();
                (st.stage.as_str() == s && bound.peek().is_some())
                    || bound.any(|t| t.id.as_str() == s)
            })
        };
        if steps.iter().any(names) {
            found.push(map);
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(MapMatcher::new(one))),
        many => Err(AnalyticsError::invalid(format!(
            "the steps name touchpoints or stages of several maps ({}): pick one with --map",
            many.iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The condition of a step, given the event's touchpoint position and stage index columns.
#[must_use]
pub fn step_condition(target: &StepTarget, touchpoint_col: &str, stage_col: &str) -> Expr {
    match target {
        StepTarget::Event(name) => col(event_col::EVENT).eq(lit(name.as_str())),
        StepTarget::Touchpoint(p) => {
            col(touchpoint_col).eq(lit(i64::try_from(*p).unwrap_or(i64::MAX)))
        }
        StepTarget::Stage(s) => col(stage_col).eq(lit(i64::try_from(*s).unwrap_or(i64::MAX))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_escaped_like_patterns() {
        assert_eq!(glob_to_like("*/pricing*"), "%/pricing%");
        assert_eq!(glob_to_like("rekry-?"), "rekry-_");
        assert_eq!(glob_to_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}

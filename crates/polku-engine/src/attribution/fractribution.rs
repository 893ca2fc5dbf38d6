//! Fractribution, as Snowplow's dbt package (after Google's original) implements it.
//!
//! Paths to conversion and to non-conversion are first cut to the last `lookback_steps` touches
//! (if set) and then rewritten by the configured [`PathTransform`]s in order. Identical
//! transformed paths are summed into a path summary (conversions, non-conversions, revenue).
//! Each transformed path's conversion probability is `conversions / (conversions +
//! non_conversions)`, 0 for a path that never occurs.
//!
//! For every path, touch `i` gets the counterfactual marginal contribution
//! `max(P(path) - P(path without touch i), 0)` (a path of one touch gets `P(path)`); the
//! contributions are normalised to sum to 1, or, if all are 0, the last touch gets everything.
//! Shares are added up per channel (the `(n)` suffixes of the frequency transform are dropped)
//! and multiplied by the path's conversions and revenue. Snowplow calls the result "shapley";
//! it is a one-step (leave-one-out) approximation of a Shapley value over the channel sets
//! seen in the data, which is why it needs the paths that did not convert.

use std::str::FromStr;

use super::paths::{ChannelId, FxMap, PathSet};
use super::{AttributionError, Credits};

/// A rewrite of a path before the summary (Snowplow's `snowplow__path_transforms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathTransform {
    /// Identity: `D > A > B > B > C` stays as it is.
    Unique,
    /// Collapse repeats in a row: `D > A > B > B > C > D > C > C` → `D > A > B > C > D > C`.
    Exposure,
    /// Keep only the first touch of each channel: → `D > A > B > C`.
    First,
    /// First touch of each channel with its count: → `D(2) > A(1) > B(2) > C(3)`.
    Frequency,
    /// Drop the channel from the end of the path, unless the path is only that channel:
    /// with `A`, `A > B > A > A` → `A > B`.
    RemoveIfLastAndNotAll(String),
    /// Drop the channel everywhere, unless the path is only that channel: with `A`,
    /// `A > B > A > A` → `B`.
    RemoveIfNotAll(String),
}

impl FromStr for PathTransform {
    type Err = AttributionError;

    /// Parses `unique`, `exposure`, `first`, `frequency` (with or without Snowplow's `_path`
    /// suffix), `remove_if_last_and_not_all:CHANNEL` and `remove_if_not_all:CHANNEL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let name = name.to_ascii_lowercase().replace('-', "_");
        let name = name.strip_suffix("_path").unwrap_or(&name);
        let need = |arg: Option<&str>| {
            arg.filter(|a| !a.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| AttributionError::InvalidParameter {
                    name: "path transform",
                    reason: format!("`{name}` needs a channel: `{name}:CHANNEL`"),
                })
        };
        Ok(match name {
            "unique" => Self::Unique,
            "exposure" => Self::Exposure,
            "first" => Self::First,
            "frequency" => Self::Frequency,
            "remove_if_last_and_not_all" => Self::RemoveIfLastAndNotAll(need(arg)?),
            "remove_if_not_all" => Self::RemoveIfNotAll(need(arg)?),
            other => {
                return Err(AttributionError::InvalidParameter {
                    name: "path transform",
                    reason: format!(
                        "unknown `{other}` (unique, exposure, first, frequency, \
                         remove_if_last_and_not_all:CHANNEL, remove_if_not_all:CHANNEL)"
                    ),
                });
            }
        })
    }
}

/// Settings of fractribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FractributionOptions {
    /// Transforms applied in order (default: exposure, as in Snowplow's package).
    pub transforms: Vec<PathTransform>,
    /// Keep only the last this many touches of each path; 0 keeps all.
    pub lookback_steps: usize,
}

impl Default for FractributionOptions {
    fn default() -> Self {
        Self {
            transforms: vec![PathTransform::Exposure],
            lookback_steps: 0,
        }
    }
}

/// A touch of a transformed path: a channel, with its count under the frequency transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Touch {
    /// The channel.
    pub channel: ChannelId,
    /// Times the channel occurred, set by [`PathTransform::Frequency`].
    pub frequency: Option<u32>,
}

/// One row of the path summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The transformed path.
    pub path: Vec<Touch>,
    /// Conversions on it.
    pub conversions: f64,
    /// Journeys on it that did not convert.
    pub non_conversions: f64,
    /// Revenue of its conversions.
    pub revenue: f64,
}

/// Fractribution's output.
#[derive(Debug, Clone, PartialEq)]
pub struct FractributionResult {
    /// Conversions and revenue per channel.
    pub credits: Credits,
    /// The path summary, in order of first appearance.
    pub summary: Vec<SummaryRow>,
    /// Per summary row, each channel's share of the row's conversions, as Snowplow's path
    /// summary with channels shows it (also for rows without conversions, where it credits
    /// nothing).
    pub shares: Vec<Vec<(ChannelId, f64)>>,
}

/// Resolved transforms: channel names looked up in the path set.
enum Step {
    Unique,
    Exposure,
    First,
    Frequency,
    RemoveIfLastAndNotAll(Option<ChannelId>),
    RemoveIfNotAll(Option<ChannelId>),
}

fn resolve(paths: &PathSet, transforms: &[PathTransform]) -> Vec<Step> {
    transforms
        .iter()
        .map(|t| match t {
            PathTransform::Unique => Step::Unique,
            PathTransform::Exposure => Step::Exposure,
            PathTransform::First => Step::First,
            PathTransform::Frequency => Step::Frequency,
            PathTransform::RemoveIfLastAndNotAll(c) => {
                Step::RemoveIfLastAndNotAll(paths.channel_id(c))
            }
            PathTransform::RemoveIfNotAll(c) => Step::RemoveIfNotAll(paths.channel_id(c)),
        })
        .collect()
}

fn apply(step: &Step, path: Vec<Touch>) -> Vec<Touch> {
    match step {
        Step::Unique => path,
        Step::Exposure => {
            let mut out: Vec<Touch> = Vec::with_capacity(path.len());
            for t in path {
                if out.last() != Some(&t) {
                    out.push(t);
                }
            }
            out
        }
        Step::First => {
            let mut out: Vec<Touch> = Vec::with_capacity(path.len());
            for t in path {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            out
        }
        Step::Frequency => {
            let mut out: Vec<Touch> = Vec::with_capacity(path.len());
            for t in &path {
                if out.iter().all(|o| o.channel != t.channel) {
                    let count = path.iter().filter(|o| o.channel == t.channel).count();
                    out.push(Touch {
                        channel: t.channel,
                        frequency: Some(u32::try_from(count).unwrap_or(u32::MAX)),
                    });
                }
            }
            out
        }
        Step::RemoveIfLastAndNotAll(target) => {
            let Some(target) = *target else { return path };
            let keep = path
                .iter()
                .rposition(|t| t.channel != target)
                .map_or(0, |i| i + 1);
            if keep == 0 {
                path
            } else {
                path[..keep].to_vec()
            }
        }
        Step::RemoveIfNotAll(target) => {
            let Some(target) = *target else { return path };
            let rest: Vec<Touch> = path
                .iter()
                .copied()
                .filter(|t| t.channel != target)
                .collect();
            if rest.is_empty() { path } else { rest }
        }
    }
}

/// Transforms one path as the options say.
#[must_use]
pub fn transform(
    paths: &PathSet,
    touches: &[ChannelId],
    options: &FractributionOptions,
) -> Vec<Touch> {
    transform_with(
        &resolve(paths, &options.transforms),
        touches,
        options.lookback_steps,
    )
}

fn transform_with(steps: &[Step], touches: &[ChannelId], lookback: usize) -> Vec<Touch> {
    let from = if lookback > 0 {
        touches.len().saturating_sub(lookback)
    } else {
        0
    };
    let mut path: Vec<Touch> = touches[from..]
        .iter()
        .map(|&channel| Touch {
            channel,
            frequency: None,
        })
        .collect();
    for step in steps {
        path = apply(step, path);
    }
    path
}

/// A transformed path as text, channels joined by ` > ` and frequencies as `name(n)`.
#[must_use]
pub fn path_label(paths: &PathSet, path: &[Touch]) -> String {
    path.iter()
        .map(|t| match t.frequency {
            Some(n) => format!("{}({n})", paths.channel_name(t.channel)),
            None => paths.channel_name(t.channel).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" > ")
}

/// The path summary: transformed paths with their summed counts.
#[must_use]
pub fn summarize(paths: &PathSet, options: &FractributionOptions) -> Vec<SummaryRow> {
    let steps = resolve(paths, &options.transforms);
    let mut index: FxMap<Vec<Touch>, usize> = FxMap::default();
    let mut rows: Vec<SummaryRow> = Vec::new();
    for p in paths.iter() {
        let t = transform_with(&steps, p.touches, options.lookback_steps);
        let i = *index.entry(t.clone()).or_insert_with(|| {
            rows.push(SummaryRow {
                path: t,
                conversions: 0.0,
                non_conversions: 0.0,
                revenue: 0.0,
            });
            rows.len() - 1
        });
        rows[i].conversions += p.conversions;
        rows[i].non_conversions += p.nulls;
        rows[i].revenue += p.value;
    }
    rows
}

/// Runs fractribution on the paths.
///
/// # Errors
/// [`AttributionError::NeedsNulls`] when the paths have no non-conversion counts: without
/// them every path converts with probability 1 and the method degenerates to last touch.
pub fn fractribution(
    paths: &PathSet,
    options: &FractributionOptions,
) -> Result<FractributionResult, AttributionError> {
    if !paths.has_nulls() {
        return Err(AttributionError::NeedsNulls("fractribution"));
    }
    let summary = summarize(paths, options);
    let index: FxMap<&[Touch], usize> = summary
        .iter()
        .enumerate()
        .map(|(i, r)| (r.path.as_slice(), i))
        .collect();
    let probability = |path: &[Touch]| -> f64 {
        index.get(path).map_or(0.0, |&i| {
            let r = &summary[i];
            let n = r.conversions + r.non_conversions;
            if n > 0.0 { r.conversions / n } else { 0.0 }
        })
    };
    let mut credits = Credits::zero(paths.channel_count());
    let mut shares = Vec::with_capacity(summary.len());
    let mut without = Vec::new();
    for row in &summary {
        if row.path.is_empty() {
            shares.push(Vec::new());
            continue;
        }
        let p = probability(&row.path);
        let mut mc: Vec<f64> = if row.path.len() == 1 {
            vec![p]
        } else {
            (0..row.path.len())
                .map(|i| {
                    without.clear();
                    without.extend_from_slice(&row.path[..i]);
                    without.extend_from_slice(&row.path[i + 1..]);
                    (p - probability(&without)).max(0.0)
                })
                .collect()
        };
        let sum: f64 = mc.iter().sum();
        if sum > 0.0 {
            for x in &mut mc {
                *x /= sum;
            }
        } else {
            let last = mc.len() - 1;
            mc[last] = 1.0;
        }
        let mut row_shares: Vec<(ChannelId, f64)> = Vec::new();
        for (t, share) in row.path.iter().zip(mc) {
            match row_shares.iter_mut().find(|(c, _)| *c == t.channel) {
                Some((_, s)) => *s += share,
                None => row_shares.push((t.channel, share)),
            }
        }
        for &(c, share) in &row_shares {
            credits.conversions[c.index()] += share * row.conversions;
            credits.value[c.index()] += share * row.revenue;
        }
        shares.push(row_shares);
    }
    Ok(FractributionResult {
        credits,
        summary,
        shares,
    })
}

#[cfg(test)]
mod tests {
    use super::super::PathSetBuilder;
    use super::*;

    /// Snowplow's unit cases for the transforms (integration_tests, path transformations).
    #[test]
    fn transforms_match_snowplow_examples() {
        let mut b = PathSetBuilder::new();
        for name in ["Example", "Video", "Direct", "a"] {
            b.channel(name);
        }
        let s = b.build();
        let ids = |text: &str| -> Vec<ChannelId> {
            text.split(" > ")
                .map(|n| s.channel_id(n).unwrap())
                .collect()
        };
        let run = |t: PathTransform, path: &str| {
            let opts = FractributionOptions {
                transforms: vec![t],
                lookback_steps: 0,
            };
            path_label(&s, &transform(&s, &ids(path), &opts))
        };
        let direct = || "Direct".to_owned();
        let cases = [
            (
                "Example > Video > Direct > Direct",
                [
                    "Example > Video > Direct > Direct",
                    "Example(1) > Video(1) > Direct(2)",
                    "Example > Video > Direct",
                    "Example > Video > Direct",
                    "Example > Video",
                    "Example > Video",
                ],
            ),
            (
                "Direct > Direct",
                [
                    "Direct > Direct",
                    "Direct(2)",
                    "Direct",
                    "Direct",
                    "Direct > Direct",
                    "Direct > Direct",
                ],
            ),
            (
                "a > a > a > Direct > a > Direct > Direct",
                [
                    "a > a > a > Direct > a > Direct > Direct",
                    "a(4) > Direct(3)",
                    "a > Direct > a > Direct",
                    "a > Direct",
                    "a > a > a > a",
                    "a > a > a > Direct > a",
                ],
            ),
            (
                "Direct",
                [
                    "Direct",
                    "Direct(1)",
                    "Direct",
                    "Direct",
                    "Direct",
                    "Direct",
                ],
            ),
        ];
        for (raw, [unique, frequency, exposure, first, remove_all, remove_last]) in cases {
            assert_eq!(run(PathTransform::Unique, raw), unique);
            assert_eq!(run(PathTransform::Frequency, raw), frequency);
            assert_eq!(run(PathTransform::Exposure, raw), exposure);
            assert_eq!(run(PathTransform::First, raw), first);
            assert_eq!(
                run(PathTransform::RemoveIfNotAll(direct()), raw),
                remove_all
            );
            assert_eq!(
                run(PathTransform::RemoveIfLastAndNotAll(direct()), raw),
                remove_last
            );
        }
        let opts = FractributionOptions {
            transforms: vec![],
            lookback_steps: 2,
        };
        assert_eq!(
            path_label(&s, &transform(&s, &ids("Example > Video > Direct"), &opts)),
            "Video > Direct"
        );
    }

    #[test]
    fn parses_transform_names() {
        assert_eq!(
            "exposure_path".parse::<PathTransform>().unwrap(),
            PathTransform::Exposure
        );
        assert_eq!(
            "remove_if_not_all:Direct".parse::<PathTransform>().unwrap(),
            PathTransform::RemoveIfNotAll("Direct".into())
        );
        assert!("remove_if_not_all".parse::<PathTransform>().is_err());
        assert!("shuffle".parse::<PathTransform>().is_err());
    }
}

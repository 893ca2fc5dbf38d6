//! Interviews into the map: what customers said, aggregated per stage.
//!
//! The imported interviews (one row per step: touchpoint, stage, emotion −3…+3, what went
//! well, what delighted, what failed) of the map's persona are grouped by the map's stages:
//! the touchpoints mentioned and how often, the emotion's mean and spread (sample standard
//! deviation), the successes, joys and failures said, and how many interviews back each stage
//! (the evidence a poster lane can show). Steps whose stage the map does not have are counted
//! apart.

use std::collections::{BTreeMap, BTreeSet};

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int8Type;
use datafusion::prelude::{col, lit};
use polku_model::Workspace;
use polku_store::schema::{Table, interview_col as ic};
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::matching::MapMatcher;
use crate::personas::known_persona;
use crate::session::Analytics;

/// A touchpoint mentioned in a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The touchpoint as the interview named it.
    pub touchpoint: String,
    /// Steps that mention it.
    pub steps: u64,
    /// Interviews that mention it.
    pub interviews: u64,
}

/// What the interviews say about one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewStage {
    /// The stage id.
    pub stage: String,
    /// Interviews with a step in the stage: the evidence behind the lane.
    pub interviews: u64,
    /// Steps in the stage.
    pub steps: u64,
    /// Touchpoints mentioned, most mentioned first.
    pub touchpoints: Vec<Mention>,
    /// The mean emotion of the scored steps.
    pub emotion_mean: Option<f64>,
    /// The sample standard deviation of the emotion (none below two scores).
    pub emotion_sd: Option<f64>,
    /// Scored steps.
    pub emotion_n: u64,
    /// What went well, as said, without repeats.
    pub successes: Vec<String>,
    /// What delighted.
    pub joys: Vec<String>,
    /// What failed.
    pub failures: Vec<String>,
}

/// The interviews of a map's persona, per stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewsReport {
    /// The map.
    pub map: String,
    /// The persona whose interviews count (all interviews when the map names none).
    pub persona: Option<String>,
    /// Interviews used.
    pub interviews: u64,
    /// The map's stages in order.
    pub stages: Vec<InterviewStage>,
    /// Steps whose stage is not on the map (or not given).
    pub steps_elsewhere: u64,
}

#[derive(Default)]
struct Acc {
    interviews: BTreeSet<String>,
    steps: u64,
    mentions: BTreeMap<String, (u64, BTreeSet<String>)>,
    emotions: Vec<f64>,
    successes: BTreeSet<String>,
    joys: BTreeSet<String>,
    failures: BTreeSet<String>,
}

fn mean_sd(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    if xs.is_empty() {
        return (None, None);
    }
    #[allow(clippy::cast_precision_loss)]
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.len() > 1)
        .then(|| (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (Some(mean), sd)
}

impl Analytics {
    /// Aggregates the imported interviews of a map's persona by the map's stages.
    ///
    /// # Errors
    /// When the map is unknown or the query fails.
    pub fn interviews(&self, workspace: &Workspace, map_id: &str) -> Result<InterviewsReport> {
        self.interviews_of(workspace, map_id, None)
    }

    /// Aggregates the imported interviews of `persona` (the map's persona when `None`) by
    /// the map's stages: the interviews table names each interview's persona, so any persona
    /// of the workspace can be laid on a map, rules or not.
    ///
    /// # Errors
    /// When the map or the persona is unknown, or the query fails.
    pub fn interviews_of(
        &self,
        workspace: &Workspace,
        map_id: &str,
        persona: Option<&str>,
    ) -> Result<InterviewsReport> {
        let matcher = MapMatcher::find(workspace, map_id)?;
        let map = matcher.map();
        let persona = match persona {
            Some(p) => Some(known_persona(workspace, p)?.doc.id.as_str().to_owned()),
            None => map.persona.as_ref().map(|p| p.as_str().to_owned()),
        };
        let mut frame = self.table(Table::Interviews)?;
        if let Some(p) = &persona {
            frame = frame.filter(col(ic::PERSONA).eq(lit(p.as_str())))?;
        }
        let frame = frame.select(vec![
            col(ic::INTERVIEW),
            col(ic::STAGE),
            col(ic::TOUCHPOINT),
            col(ic::EMOTION),
            col(ic::SUCCESS),
            col(ic::JOY),
            col(ic::FAILURE),
        ])?;
        let mut per_stage: Vec<Acc> = map.stages.iter().map(|_| Acc::default()).collect();
        let mut all = BTreeSet::new();
        let mut elsewhere = 0;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("interviews: unexpected result type");
            let text = |i: usize| batch.column(i).as_string_opt::<i32>().ok_or_else(bad);
            let (interview, stage, touchpoint) = (text(0)?, text(1)?, text(2)?);
            let (success, joy, failure) = (text(4)?, text(5)?, text(6)?);
            let emotion = batch
                .column(3)
                .as_primitive_opt::<Int8Type>()
                .ok_or_else(bad)?;
            for i in 0..batch.num_rows() {
                let id = interview.value(i).to_owned();
                all.insert(id.clone());
                let Some(s) = (!stage.is_null(i))
                    .then(|| matcher.stage_index(stage.value(i)))
                    .flatten()
                else {
                    elsewhere += 1;
                    continue;
                };
                let acc = &mut per_stage[s];
                acc.interviews.insert(id.clone());
                acc.steps += 1;
                let m = acc
                    .mentions
                    .entry(touchpoint.value(i).to_owned())
                    .or_default();
                m.0 += 1;
                m.1.insert(id);
                if !emotion.is_null(i) {
                    acc.emotions.push(f64::from(emotion.value(i)));
                }
                for (col, set) in [
                    (success, &mut acc.successes),
                    (joy, &mut acc.joys),
                    (failure, &mut acc.failures),
                ] {
                    if !col.is_null(i) && !col.value(i).trim().is_empty() {
                        set.insert(col.value(i).trim().to_owned());
                    }
                }
            }
        }
        let stages = map
            .stages
            .iter()
            .zip(per_stage)
            .map(|(stage, acc)| {
                let (emotion_mean, emotion_sd) = mean_sd(&acc.emotions);
                let mut touchpoints: Vec<Mention> = acc
                    .mentions
                    .into_iter()
                    .map(|(touchpoint, (steps, ids))| Mention {
                        touchpoint,
                        steps,
                        interviews: ids.len() as u64,
                    })
                    .collect();
                touchpoints.sort_by(|a, b| {
                    b.steps
                        .cmp(&a.steps)
                        .then_with(|| a.touchpoint.cmp(&b.touchpoint))
                });
                InterviewStage {
                    stage: stage.stage.as_str().to_owned(),
                    interviews: acc.interviews.len() as u64,
                    steps: acc.steps,
                    touchpoints,
                    emotion_mean,
                    emotion_sd,
                    emotion_n: acc.emotions.len() as u64,
                    successes: acc.successes.into_iter().collect(),
                    joys: acc.joys.into_iter().collect(),
                    failures: acc.failures.into_iter().collect(),
                }
            })
            .collect();
        Ok(InterviewsReport {
            map: map.id.as_str().to_owned(),
            persona,
            interviews: all.len() as u64,
            stages,
            steps_elsewhere: elsewhere,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::mean_sd;

    #[test]
    fn mean_and_sample_spread() {
        assert_eq!(mean_sd(&[]), (None, None));
        assert_eq!(mean_sd(&[2.0]), (Some(2.0), None));
        let (m, sd) = mean_sd(&[-1.0, 1.0, 3.0]);
        assert_eq!(m, Some(1.0));
        assert!((sd.unwrap() - 2.0).abs() < 1e-12);
    }
}

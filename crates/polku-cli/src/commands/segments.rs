//! `polku segments`: the customers now in each stage of a persona's map, with their last
//! touchpoint and its time, for email and marketing automation tools.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use polku_engine::segments::SegmentRow;
use polku_engine::time::{DAY_US, Period, date_range};
use polku_model::{MapKind, Workspace};

use polku_engine::Analytics;

use super::funnel::{csv_field, note, open, restrict, with_spinner, write_out};

/// Output formats of `polku segments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SegmentsFormat {
    /// `customer,persona,stage,last_touchpoint,last_time` with a header.
    Csv,
    /// A list of objects.
    Json,
}

/// Options of `polku segments`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A customer's stage is the stage of their latest event that matches a \
touchpoint of the map. --persona picks the persona's current-state map and, when the persona \
has `rules`, only its customers; --map names a map. With neither, every persona that has rules \
and a map with `match` rules is listed: its customers on its map.\n\n\
Examples:\n  polku segments --persona hr-hanna --stage consideration\n  polku segments --map \
shop-current --format json"
)]
pub struct SegmentsArgs {
    /// The persona whose (current-state) map to use.
    #[arg(long, value_name = "ID")]
    pub persona: Option<String>,
    /// The map to use (default: the persona's, or the one map with match rules).
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
    /// Only customers now in this stage.
    #[arg(long, value_name = "ID")]
    pub stage: Option<String>,
    /// Only events on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only events on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SegmentsFormat::Csv)]
    pub format: SegmentsFormat,
}

fn bound(ws: &Workspace) -> impl Iterator<Item = &polku_model::JourneyMap> {
    ws.maps.iter().map(|m| &m.doc).filter(|m| {
        m.stages
            .iter()
            .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()))
    })
}

fn pick_map(args: &SegmentsArgs, ws: &Workspace) -> anyhow::Result<String> {
    if let Some(m) = &args.map {
        return Ok(m.clone());
    }
    let candidates: Vec<&polku_model::JourneyMap> = match &args.persona {
        Some(p) => bound(ws)
            .filter(|m| m.persona.as_ref().is_some_and(|x| x.as_str() == p))
            .collect(),
        None => bound(ws).collect(),
    };
    let current: Vec<&polku_model::JourneyMap> = candidates
        .iter()
        .copied()
        .filter(|m| m.kind == MapKind::Current)
        .collect();
    match (current.as_slice(), candidates.as_slice()) {
        ([one], _) | ([], [one]) => Ok(one.id.as_str().to_owned()),
        (_, []) => match &args.persona {
            Some(p) => bail!("no map of persona `{p}` has touchpoints with `match` rules"),
            None => bail!("no map has touchpoints with `match` rules"),
        },
        _ => bail!(
            "several maps fit ({}): name one with --map",
            candidates
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs `polku segments`.
///
/// # Errors
/// When the workspace cannot be read, no map fits, or the query fails.
pub fn run(args: &SegmentsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = date_range(args.from.as_deref(), args.to.as_deref())?;
    let (model, analytics) = open(workspace)?;
    let ruled = |id: &str| {
        model
            .personas
            .iter()
            .any(|p| p.doc.id.as_str() == id && !p.doc.rules.is_empty())
    };
    let rows = if args.map.is_none() && args.persona.is_none() {
        let mut per_persona: Vec<(&str, String)> = Vec::new();
        for m in bound(&model).filter(|m| m.kind == MapKind::Current) {
            if let Some(p) = &m.persona
                && ruled(p.as_str())
                && !per_persona.iter().any(|(q, _)| *q == p.as_str())
            {
                per_persona.push((p.as_str(), m.id.as_str().to_owned()));
            }
        }
        if per_persona.is_empty() {
            let map = pick_map(args, &model)?;
            with_spinner("segments", || {
                analytics.segments(&model, &map, args.stage.as_deref(), range)
            })?
        } else {
            drop(analytics);
            let mut rows = Vec::new();
            for (persona, map) in per_persona {
                let a = restrict(Analytics::open(workspace)?, &model, Some(persona))?;
                rows.extend(with_spinner("segments", || {
                    a.segments(&model, &map, args.stage.as_deref(), range)
                })?);
            }
            rows
        }
    } else {
        let map = pick_map(args, &model)?;
        let persona = args.persona.as_deref().filter(|p| ruled(p));
        if let Some(p) = &args.persona
            && persona.is_none()
        {
            note(
                &super::funnel::tr(&model).args("note-persona-no-rules", &[("persona", p.clone())]),
            );
        }
        let analytics = restrict(analytics, &model, persona)?;
        with_spinner("segments", || {
            analytics.segments(&model, &map, args.stage.as_deref(), range)
        })?
    };
    let text = match args.format {
        SegmentsFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rows)?),
        SegmentsFormat::Csv => csv(&rows),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// A UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso(us: i64) -> String {
    let day = us.div_euclid(DAY_US);
    let s = us.rem_euclid(DAY_US) / 1_000_000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Period::Day.label(day),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

fn csv(rows: &[SegmentRow]) -> String {
    let mut out = String::from("customer,persona,stage,last_touchpoint,last_time\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            csv_field(&r.customer),
            r.persona.as_deref().map(csv_field).unwrap_or_default(),
            csv_field(&r.stage),
            csv_field(&r.last_touchpoint),
            iso(r.last_time_us)
        ));
    }
    out
}

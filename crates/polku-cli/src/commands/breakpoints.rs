//! `polku breakpoints [MAP_ID]`: where customers stall or leave more than expected, and what
//! it costs: the prioritised list of what to fix first.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use polku_engine::TimeRange;
use polku_engine::breakpoints::{BreakpointQuery, BreakpointsReport, PersonaSplit, PointKind};
use polku_engine::time::{DAY_US, date_range};

use super::funnel::{
    JourneyFormat, ScopeArgs, aligned, csv_field, open, tr, with_spinner, write_out,
};
use crate::tr::Tr;

/// Options of `polku breakpoints`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each stage and touchpoint of the map is set against two baselines: its \
drop-off in the period before (by default the last 28 days of data against the 28 days \
before), and the drop-off of the other personas' customers in the same period. When personas \
have `rules`, every persona gets its own rows (with --persona, only that persona); the \
`baseline` column says which comparison flags a row (previous, personas or both). Customers \
lost beyond the lower expected rate × the share that converts once past the point × the \
persona's average conversion value is the value lost; the list is sorted by it.\n\n\
Examples:\n  polku breakpoints hr-hanna-current\n  polku breakpoints --persona hr-hanna\n  \
polku breakpoints --from 2026-03-01 --to 2026-03-31 --format json"
)]
pub struct BreakpointsArgs {
    /// The map (default: the one map whose touchpoints have match rules).
    #[arg(value_name = "MAP_ID")]
    pub map: Option<String>,
    /// Which events count; --from and --to set the period.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// The first day of the baseline period (default: as long before the period as the
    /// period is long).
    #[arg(long, value_name = "DATE", requires = "baseline_to")]
    pub baseline_from: Option<String>,
    /// The last day of the baseline period.
    #[arg(long, value_name = "DATE", requires = "baseline_from")]
    pub baseline_to: Option<String>,
    /// Show at most this many rows.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku breakpoints`.
///
/// # Errors
/// When the workspace cannot be read, the map is unknown or unbound, or the query fails.
pub fn run(args: &BreakpointsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let period = args.scope.range()?;
    let baseline: Option<TimeRange> = match (&args.baseline_from, &args.baseline_to) {
        (Some(f), Some(t)) => Some(date_range(Some(f), Some(t))?),
        _ => None,
    };
    // Not restricted to the persona: its customers are compared with everyone else's.
    let (model, analytics) = open(workspace)?;
    let map = match &args.map {
        Some(m) => m.clone(),
        None => {
            let bound: Vec<&str> = model
                .maps
                .iter()
                .filter(|m| {
                    m.doc
                        .stages
                        .iter()
                        .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()))
                })
                .map(|m| m.doc.id.as_str())
                .collect();
            match bound.as_slice() {
                [one] => (*one).to_owned(),
                [] => bail!("no map has touchpoints with `match` rules: add some to measure a map"),
                many => bail!(
                    "several maps can be measured ({}): name one",
                    many.join(", ")
                ),
            }
        }
    };
    let query = BreakpointQuery {
        period,
        baseline,
        personas: args
            .scope
            .persona
            .clone()
            .map_or(PersonaSplit::Each, PersonaSplit::One),
    };
    let mut report = with_spinner("breakpoints", || {
        analytics.breakpoints_of(&model, &map, &query)
    })?;
    if let Some(n) = args.top {
        report.breakpoints.truncate(n);
    }
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr(&model), &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn kind(k: PointKind) -> &'static str {
    match k {
        PointKind::Stage => "stage",
        PointKind::Touchpoint => "touchpoint",
    }
}

/// The baselines that flag a row, for tables: `previous`, `personas`, `both` or `-`.
fn flag(tr: &Tr, b: &polku_engine::breakpoints::Breakpoint) -> String {
    use polku_engine::breakpoints::Baseline;
    match b.flagged_by {
        Some(Baseline::PreviousPeriod) => tr.t("bp-flag-previous"),
        Some(Baseline::OtherPersonas) => tr.t("bp-flag-personas"),
        Some(Baseline::Both) => tr.t("bp-flag-both"),
        None => "-".to_owned(),
    }
}

/// The persona a row counts, for tables and CSV: `all` when not split, `-` for the customers
/// no rule takes.
fn persona(r: &BreakpointsReport, b: &polku_engine::breakpoints::Breakpoint) -> String {
    match (&b.persona, r.by_persona) {
        (Some(p), _) => p.clone(),
        (None, true) => "-".to_owned(),
        (None, false) => "all".to_owned(),
    }
}

fn rate_or_empty(x: Option<f64>) -> String {
    x.map_or_else(String::new, |e| e.to_string())
}

fn csv(r: &BreakpointsReport) -> String {
    let mut out = String::from(
        "kind,id,stage,owner,persona,reached,left,drop_off_rate,expected_previous,expected_others,expected_rate,flagged_by,excess_lost,downstream_conversion,average_value,value_lost,currency,median_time_in_stage_s,expected_time_in_stage_s,stalled_by\n",
    );
    for b in &r.breakpoints {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            kind(b.kind),
            csv_field(&b.id),
            csv_field(&b.stage),
            b.owner.as_deref().map(csv_field).unwrap_or_default(),
            csv_field(&persona(r, b)),
            b.reached,
            b.left,
            b.drop_off_rate,
            rate_or_empty(b.expected_previous),
            rate_or_empty(b.expected_others),
            rate_or_empty(b.expected_rate),
            b.flagged_by.map_or("", |f| f.as_str()),
            b.excess_lost,
            b.downstream_conversion,
            rate_or_empty(b.average_value),
            b.value_lost,
            if b.average_value.is_some() {
                r.currency.as_deref().unwrap_or_default()
            } else {
                ""
            },
            rate_or_empty(b.median_time_in_stage_s),
            rate_or_empty(b.expected_time_in_stage_s),
            b.stalled_by.map_or("", |f| f.as_str()),
        ));
    }
    out
}

/// A stage's median time in it, and when it stalls, the time expected.
fn time_in_stage(tr: &Tr, b: &polku_engine::breakpoints::Breakpoint) -> String {
    match (
        b.median_time_in_stage_s,
        b.stalled_by,
        b.expected_time_in_stage_s,
    ) {
        (Some(now), Some(_), Some(expected)) => tr.args(
            "bp-stalled",
            &[("now", tr.seconds(now)), ("expected", tr.seconds(expected))],
        ),
        (Some(now), _, _) => tr.seconds(now),
        _ => String::new(),
    }
}

fn day(us: i64) -> String {
    polku_engine::time::Period::Day.label(us.div_euclid(DAY_US))
}

fn table(tr: &Tr, r: &BreakpointsReport) -> String {
    let unit = match (&r.currency, r.average_value) {
        (Some(c), Some(_)) => tr.args("bp-value-lost-in", &[("currency", c.clone())]),
        _ if r.average_value.is_some() => tr.t("bp-value-lost"),
        _ => tr.t("bp-customers-lost"),
    };
    let rows: Vec<Vec<String>> = r
        .breakpoints
        .iter()
        .map(|b| {
            let expected = |x: Option<f64>| x.map_or_else(|| tr.t("bp-na"), |e| tr.share(e));
            let kind = tr.t(match b.kind {
                PointKind::Stage => "kind-stage",
                PointKind::Touchpoint => "kind-touchpoint",
            });
            let mut row = vec![format!("{kind} {}", b.id)];
            if r.by_persona {
                row.push(persona(r, b));
            }
            row.extend([
                b.owner.clone().unwrap_or_default(),
                b.reached.to_string(),
                tr.share(b.drop_off_rate),
                expected(b.expected_previous),
            ]);
            if r.by_persona {
                row.push(expected(b.expected_others));
            }
            row.extend([
                flag(tr, b),
                time_in_stage(tr, b),
                format!("{:.0}", b.excess_lost),
                tr.fixed(b.value_lost, 1),
            ]);
            row
        })
        .collect();
    let mut header = vec![tr.t("bp-where")];
    if r.by_persona {
        header.push(tr.t("bp-persona"));
    }
    header.extend(["bp-owner", "bp-reached", "bp-drop-off", "bp-before"].map(|id| tr.t(id)));
    if r.by_persona {
        header.push(tr.t("bp-others"));
    }
    header.extend([tr.t("bp-baseline"), tr.t("bp-time"), tr.t("bp-lost"), unit]);
    let heading = if r.by_persona {
        "bp-heading-personas"
    } else {
        "bp-heading"
    };
    let mut out = tr.args(
        heading,
        &[
            ("map", r.map.clone()),
            ("from", day(r.period.0)),
            ("to", day(r.period.1 - 1)),
            ("base-from", day(r.baseline.0)),
            ("base-to", day(r.baseline.1 - 1)),
        ],
    );
    out.push_str("\n\n");
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&aligned(&header, &rows));
    out.push_str(&format!("\n{}\n", tr.t("bp-legend")));
    let line = match (r.average_value, r.currencies.as_slice()) {
        (Some(v), _) => {
            let value = match r.currency.as_deref() {
                Some(c) => format!("{} {c}", tr.fixed(v, 2)),
                None => tr.fixed(v, 2),
            };
            let id = if r.by_persona {
                "bp-value-formula-persona"
            } else {
                "bp-value-formula"
            };
            tr.args(id, &[("value", value)])
        }
        (None, [_, _, ..]) => tr.args("bp-currencies", &[("currencies", r.currencies.join(", "))]),
        (None, _) => tr.t("bp-no-values"),
    };
    out.push_str(&line);
    out.push('\n');
    out
}

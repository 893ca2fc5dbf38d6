//! `polku interviews MAP_ID`: the imported interviews of the map's persona, per stage: the
//! touchpoints mentioned, the emotion with its spread, and what went well, delighted or failed.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::interviews::InterviewsReport;

use super::funnel::{JourneyFormat, csv_field, open, tr, with_spinner, write_out};
use crate::tr::Tr;

/// Options of `polku interviews`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Interviews come from `polku import interviews`; only those of the \
map's persona count (all, when the map names no persona), or of `--persona`. The interviews \
column is the evidence behind each stage.\n\nExamples:\n  polku interviews hr-hanna-current \
--format json\n  polku interviews hr-hanna-current --persona marja-markkinoija"
)]
pub struct InterviewsArgs {
    /// The map.
    #[arg(value_name = "MAP_ID")]
    pub map: String,
    /// Only the interviews of this persona, instead of the map's persona. Interviews name
    /// their persona in the table, so the persona needs no `rules` (and there is no period:
    /// interviews carry no event times).
    #[arg(long, value_name = "ID")]
    pub persona: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku interviews`.
///
/// # Errors
/// When the workspace cannot be read, the map is unknown, or the query fails.
pub fn run(args: &InterviewsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (model, analytics) = open(workspace)?;
    let report = with_spinner("interviews", || {
        analytics.interviews_of(&model, &args.map, args.persona.as_deref())
    })?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr(&model), &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(r: &InterviewsReport) -> String {
    let mut out = String::from(
        "stage,interviews,steps,emotion_mean,emotion_sd,emotion_n,touchpoints,successes,joys,failures\n",
    );
    for s in &r.stages {
        let mentions: Vec<String> = s
            .touchpoints
            .iter()
            .map(|m| format!("{} ({})", m.touchpoint, m.steps))
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&s.stage),
            s.interviews,
            s.steps,
            s.emotion_mean.map_or_else(String::new, |v| v.to_string()),
            s.emotion_sd.map_or_else(String::new, |v| v.to_string()),
            s.emotion_n,
            csv_field(&mentions.join("; ")),
            csv_field(&s.successes.join("; ")),
            csv_field(&s.joys.join("; ")),
            csv_field(&s.failures.join("; ")),
        ));
    }
    out
}

fn table(tr: &Tr, r: &InterviewsReport) -> String {
    let num = |x: Option<f64>| x.map_or_else(String::new, |v| tr.fixed(v, 2));
    let rows: Vec<Vec<String>> = r
        .stages
        .iter()
        .map(|s| {
            let top: Vec<String> = s
                .touchpoints
                .iter()
                .take(3)
                .map(|m| format!("{} ({})", m.touchpoint, m.steps))
                .collect();
            vec![
                s.stage.clone(),
                s.interviews.to_string(),
                num(s.emotion_mean),
                num(s.emotion_sd),
                top.join(", "),
            ]
        })
        .collect();
    let mut out = match &r.persona {
        Some(p) => tr.args(
            "interviews-heading-persona",
            &[
                ("map", r.map.clone()),
                ("interviews", r.interviews.to_string()),
                ("persona", p.clone()),
            ],
        ),
        None => tr.args(
            "interviews-heading",
            &[
                ("map", r.map.clone()),
                ("interviews", r.interviews.to_string()),
            ],
        ),
    };
    out.push_str("\n\n");
    let header = [
        "stages-stage",
        "interviews-interviews",
        "interviews-emotion",
        "interviews-spread",
        "interviews-touchpoints",
    ];
    out.push_str(&tr.table(&header, &rows));
    for s in &r.stages {
        for (what, items) in [
            (tr.t("interviews-successes"), &s.successes),
            (tr.t("interviews-joys"), &s.joys),
            (tr.t("interviews-failures"), &s.failures),
        ] {
            if !items.is_empty() {
                out.push_str(&format!("{} {what}: {}\n", s.stage, items.join("; ")));
            }
        }
    }
    if r.steps_elsewhere > 0 {
        let line = tr.counts("interviews-elsewhere", &[("n", r.steps_elsewhere)]);
        out.push_str(&format!("\n{line}\n"));
    }
    out
}

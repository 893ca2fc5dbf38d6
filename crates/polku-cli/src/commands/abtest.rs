//! `polku abtest`: which variant of an ad or message converts better, with confidence
//! intervals and a two-sided test; says plainly when the sample is too small.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::abtest::{AbTestReport, MIN_PER_VARIANT};

use super::funnel::{JourneyFormat, ScopeArgs, csv_field, tr, with_spinner, write_out};
use crate::tr::Tr;

/// Options of `polku abtest`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A customer is in the variant named by the property on their first \
event that has it, and converted when they did the metric event at or after that. Two \
variants: two-proportion z-test; more: chi-square test. Intervals are 95 % Wilson \
intervals.\n\nExample:\n  polku abtest --variant-prop variant --metric purchase"
)]
pub struct AbtestArgs {
    /// The event property that names the variant.
    #[arg(long, value_name = "P")]
    pub variant_prop: String,
    /// The event that counts as a conversion.
    #[arg(long, value_name = "EVENT")]
    pub metric: String,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// Runs `polku abtest`.
///
/// # Errors
/// When the workspace cannot be read, no event has the property, or the query fails.
pub fn run(args: &AbtestArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let range = args.scope.range()?;
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("abtest", || {
        analytics.abtest(&args.variant_prop, &args.metric, range)
    })?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&tr(&model), &report),
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn csv(r: &AbTestReport) -> String {
    let mut out = String::from("variant,customers,conversions,rate,ci_low,ci_high\n");
    for v in &r.variants {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&v.variant),
            v.customers,
            v.conversions,
            v.rate,
            v.ci_low,
            v.ci_high
        ));
    }
    out
}

fn table(tr: &Tr, r: &AbTestReport) -> String {
    let rows: Vec<Vec<String>> = r
        .variants
        .iter()
        .map(|v| {
            vec![
                v.variant.clone(),
                v.customers.to_string(),
                v.conversions.to_string(),
                tr.share(v.rate),
                format!("{} – {}", tr.share(v.ci_low), tr.share(v.ci_high)),
            ]
        })
        .collect();
    let header = [
        "ab-variant",
        "ab-customers",
        "ab-converted",
        "ab-rate",
        "ab-interval",
    ];
    let mut out = tr.table(&header, &rows);
    if let (Some(s), Some(p)) = (r.statistic, r.p_value) {
        let test = match r.test.as_str() {
            "z-test" => tr.t("ab-test-z-test"),
            "chi-square" => tr.t("ab-test-chi-square"),
            other => other.to_owned(),
        };
        let line = tr.args(
            "ab-statistic",
            &[
                ("test", test),
                ("statistic", tr.fixed(s, 3)),
                ("p", tr.fixed(p, 4)),
            ],
        );
        out.push_str(&format!("\n{line}\n"));
    }
    if r.crossed_over > 0 {
        out.push_str(&tr.counts(
            "ab-crossed-over",
            &[("count", r.crossed_over), ("n", r.crossed_over)],
        ));
        out.push('\n');
    }
    out.push_str(&format!("\n{}\n", verdict(tr, r)));
    out
}

/// What the numbers say, in one sentence of the language: the report's own verdict is in
/// English, for programs.
fn verdict(tr: &Tr, r: &AbTestReport) -> String {
    let best = r
        .variants
        .iter()
        .max_by(|a, b| a.rate.total_cmp(&b.rate))
        .map(|v| v.variant.clone())
        .unwrap_or_default();
    match r.p_value {
        _ if r.sample_too_small => tr.counts("ab-too-small", &[("min", MIN_PER_VARIANT)]),
        Some(p) if p < 0.05 => tr.args("ab-differ", &[("p", tr.fixed(p, 4)), ("best", best)]),
        Some(p) => tr.args("ab-no-difference", &[("p", tr.fixed(p, 4))]),
        None => tr.t("ab-no-test"),
    }
}

//! `polku abtest`: which variant of an ad or message converts better, with confidence
//! intervals and a two-sided test; says plainly when the sample is too small.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::abtest::AbTestReport;

use super::funnel::{
    JourneyFormat, ScopeArgs, aligned, csv_field, percent, with_spinner, write_out,
};

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
    let (_model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("abtest", || {
        analytics.abtest(&args.variant_prop, &args.metric, range)
    })?;
    let text = match args.format {
        JourneyFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        JourneyFormat::Csv => csv(&report),
        JourneyFormat::Table => table(&report),
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

fn table(r: &AbTestReport) -> String {
    let rows: Vec<Vec<String>> = r
        .variants
        .iter()
        .map(|v| {
            vec![
                v.variant.clone(),
                v.customers.to_string(),
                v.conversions.to_string(),
                percent(v.rate),
                format!("{} – {}", percent(v.ci_low), percent(v.ci_high)),
            ]
        })
        .collect();
    let mut out = aligned(
        &["variant", "customers", "converted", "rate", "95 % interval"],
        &rows,
    );
    if let (Some(s), Some(p)) = (r.statistic, r.p_value) {
        out.push_str(&format!("\n{}: statistic {s:.3}, p = {p:.4}\n", r.test));
    }
    if r.crossed_over > 0 {
        out.push_str(&format!(
            "{} customers saw more than one variant (counted in their first)\n",
            r.crossed_over
        ));
    }
    out.push_str(&format!("\n{}\n", r.verdict));
    out
}

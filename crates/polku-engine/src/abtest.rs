//! A/B tests: which variant of an ad or message converts better, with honest statistics.
//!
//! A customer is in the variant named by an event property (e.g. `variant` or
//! `experiment_arm`) of their first event that carries it, and converted when they did the
//! metric event at or after that first exposure. Per variant: customers, conversions, the
//! rate with a 95 % Wilson interval. The test is two-sided: a two-proportion z-test for two
//! variants, a chi-square test of independence for more. When a variant has fewer than
//! [`MIN_PER_VARIANT`] customers or fewer than 5 conversions or non-conversions expected, the
//! report says the sample is too small to trust the test.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{count_distinct, first_value, max, min};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{col, lit};
use polku_store::schema::event_col;
use serde::Serialize;

use crate::error::{AnalyticsError, Result};
use crate::session::int64_column;
use crate::session::{Analytics, ORDINAL, TIME_US, TimeRange, WHO};
use crate::udf::json_prop::json_prop_udf;

/// Fewer customers than this in a variant make the test unreliable.
pub const MIN_PER_VARIANT: u64 = 30;

/// The z value of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// One variant's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantResult {
    /// The variant (the property's value).
    pub variant: String,
    /// Customers exposed to it.
    pub customers: u64,
    /// Of them, customers who converted after exposure.
    pub conversions: u64,
    /// `conversions / customers`.
    pub rate: f64,
    /// The 95 % Wilson interval of the rate.
    pub ci_low: f64,
    /// The upper end of the interval.
    pub ci_high: f64,
}

/// The test between the variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbTestReport {
    /// The variants, by name.
    pub variants: Vec<VariantResult>,
    /// `z-test` (two variants) or `chi-square` (more).
    pub test: String,
    /// The test statistic (z, or chi-square).
    pub statistic: Option<f64>,
    /// The two-sided p-value.
    pub p_value: Option<f64>,
    /// Whether the sample is too small for the test to be trusted.
    pub sample_too_small: bool,
    /// Customers exposed to more than one variant (counted in their first).
    pub crossed_over: u64,
    /// What the numbers say, in one sentence.
    pub verdict: String,
}

/// The 95 % Wilson score interval of `k` successes in `n` trials.
#[must_use]
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    #[allow(clippy::cast_precision_loss)]
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The complementary error function (W. J. Cody's rational approximations via `erfc(x) =
/// exp(-x²)·P(x)`, here through the Numerical Recipes Chebyshev fit, relative error below
/// 1.2e-7).
#[must_use]
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The two-sided p-value of a standard normal statistic.
#[must_use]
pub fn normal_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// The upper tail `Q(a, x)` of the regularized incomplete gamma function.
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_gamma_a = ln_gamma(a);
    if x < a + 1.0 {
        // Series for P, then Q = 1 - P.
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..500 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - ln_gamma_a).exp()
    } else {
        // Continued fraction (Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..500 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (-x + a * x.ln() - ln_gamma_a).exp() * h
    }
}

/// `ln Γ(x)` by the Lanczos approximation.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 6] = [
        76.180_091_729_471_46,
        -86.505_320_329_416_77,
        24.014_098_240_830_91,
        -1.231_739_572_450_155,
        0.001_208_650_973_866_179,
        -0.000_005_395_239_384_953,
    ];
    let mut y = x;
    let tmp = x + 5.5;
    let tmp = tmp - (x + 0.5) * tmp.ln();
    let mut ser = 1.000_000_000_190_015;
    for g in G {
        y += 1.0;
        ser += g / y;
    }
    -tmp + (2.506_628_274_631_000_5 * ser / x).ln()
}

/// The p-value of a chi-square statistic with `df` degrees of freedom.
#[must_use]
pub fn chi_square_p(statistic: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, statistic / 2.0).clamp(0.0, 1.0)
}

/// The test of given (variant, customers, conversions) counts.
#[must_use]
pub fn test_variants(counts: &[(String, u64, u64)], crossed_over: u64) -> AbTestReport {
    #[allow(clippy::cast_precision_loss)]
    let variants: Vec<VariantResult> = counts
        .iter()
        .map(|(v, n, k)| {
            let (ci_low, ci_high) = wilson(*k, *n);
            VariantResult {
                variant: v.clone(),
                customers: *n,
                conversions: *k,
                rate: if *n == 0 { 0.0 } else { *k as f64 / *n as f64 },
                ci_low,
                ci_high,
            }
        })
        .collect();
    let total_n: u64 = counts.iter().map(|c| c.1).sum();
    let total_k: u64 = counts.iter().map(|c| c.2).sum();
    #[allow(clippy::cast_precision_loss)]
    let pooled = if total_n == 0 {
        0.0
    } else {
        total_k as f64 / total_n as f64
    };
    #[allow(clippy::cast_precision_loss)]
    let too_small = counts.len() < 2
        || counts.iter().any(|&(_, n, _)| {
            let n_f = n as f64;
            n < MIN_PER_VARIANT || n_f * pooled < 5.0 || n_f * (1.0 - pooled) < 5.0
        });
    let (test, statistic, p_value) = match counts {
        [] | [_] => ("none".to_owned(), None, None),
        [(_, n1, k1), (_, n2, k2)] => {
            #[allow(clippy::cast_precision_loss)]
            let (n1, k1, n2, k2) = (*n1 as f64, *k1 as f64, *n2 as f64, *k2 as f64);
            let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
            if se > 0.0 && n1 > 0.0 && n2 > 0.0 {
                let z = (k2 / n2 - k1 / n1) / se;
                ("z-test".to_owned(), Some(z), Some(normal_two_sided(z)))
            } else {
                ("z-test".to_owned(), None, None)
            }
        }
        many => {
            let mut chi2 = 0.0;
            for &(_, n, k) in many {
                #[allow(clippy::cast_precision_loss)]
                let (n, k) = (n as f64, k as f64);
                let (e1, e0) = (n * pooled, n * (1.0 - pooled));
                if e1 > 0.0 {
                    chi2 += (k - e1).powi(2) / e1;
                }
                if e0 > 0.0 {
                    chi2 += ((n - k) - e0).powi(2) / e0;
                }
            }
            #[allow(clippy::cast_precision_loss)]
            let df = (many.len() - 1) as f64;
            (
                "chi-square".to_owned(),
                Some(chi2),
                Some(chi_square_p(chi2, df)),
            )
        }
    };
    let best = variants
        .iter()
        .max_by(|a, b| a.rate.total_cmp(&b.rate))
        .map(|v| v.variant.clone())
        .unwrap_or_default();
    let verdict = match p_value {
        _ if too_small => format!(
            "The sample is too small to tell the variants apart: every variant needs at least \
             {MIN_PER_VARIANT} customers and 5 expected conversions and non-conversions."
        ),
        Some(p) if p < 0.05 => {
            format!("The variants differ (p = {p:.4}, two-sided): {best} converts best.")
        }
        Some(p) => {
            format!("No significant difference between the variants (p = {p:.4}, two-sided).")
        }
        None => "No test: the variants have no customers or no variation.".to_owned(),
    };
    AbTestReport {
        variants,
        test,
        statistic,
        p_value,
        sample_too_small: too_small,
        crossed_over,
        verdict,
    }
}

impl Analytics {
    /// An A/B test: variants from the event property `variant_prop`, conversion the event
    /// `metric` at or after the first exposure.
    ///
    /// # Errors
    /// When no event carries the property, or the query fails.
    pub fn abtest(
        &self,
        variant_prop: &str,
        metric: &str,
        range: TimeRange,
    ) -> Result<AbTestReport> {
        const V: &str = "__variant";
        const EXPOSED: &str = "__exposed";
        const VARIANTS: &str = "__variants";
        const MWHO: &str = "__mwho";
        const LAST: &str = "__last_metric";
        let events = self.events(range)?;
        let variant = json_prop_udf().call(vec![col(event_col::PROPERTIES), lit(variant_prop)]);
        let exposures = events
            .clone()
            .with_column(V, variant)?
            .filter(col(V).is_not_null())?
            .aggregate(
                vec![col(WHO)],
                vec![
                    first_value(
                        col(V),
                        vec![
                            col(TIME_US).sort(true, false),
                            col(ORDINAL).sort(true, false),
                        ],
                    )
                    .alias(V),
                    min(col(TIME_US)).alias(EXPOSED),
                    count_distinct(col(V)).alias(VARIANTS),
                ],
            )?;
        let metric_events = events
            .filter(col(event_col::EVENT).eq(lit(metric)))?
            .aggregate(vec![col(WHO)], vec![max(col(TIME_US)).alias(LAST)])?
            .select(vec![col(WHO).alias(MWHO), col(LAST)])?;
        let frame = exposures
            .join(metric_events, JoinType::Left, &[WHO], &[MWHO], None)?
            .aggregate(
                vec![col(V)],
                vec![
                    datafusion::functions_aggregate::expr_fn::count(lit(1)).alias("n"),
                    datafusion::functions_aggregate::expr_fn::count(lit(1))
                        .filter(col(LAST).gt_eq(col(EXPOSED)))
                        .build()?
                        .alias("k"),
                    datafusion::functions_aggregate::expr_fn::count(lit(1))
                        .filter(col(VARIANTS).gt(lit(1i64)))
                        .build()?
                        .alias("crossed"),
                ],
            )?;
        let mut counts = Vec::new();
        let mut crossed = 0;
        for batch in self.collect(frame)? {
            let bad = || AnalyticsError::invalid("abtest: unexpected result type");
            let v = batch.column(0).as_string_opt::<i32>().ok_or_else(bad)?;
            let n = int64_column(&batch, 1, bad)?;
            let k = int64_column(&batch, 2, bad)?;
            let c = int64_column(&batch, 3, bad)?;
            for i in 0..batch.num_rows() {
                if v.is_null(i) {
                    continue;
                }
                let u = |x: i64| u64::try_from(x).unwrap_or(0);
                counts.push((v.value(i).to_owned(), u(n.value(i)), u(k.value(i))));
                crossed += u(c.value(i));
            }
        }
        if counts.is_empty() {
            return Err(AnalyticsError::NotFound(format!(
                "no event has the property `{variant_prop}`"
            )));
        }
        counts.sort();
        Ok(test_variants(&counts, crossed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_and_chi_square_tails() {
        assert!((normal_two_sided(1.959_963_984_540_054) - 0.05).abs() < 1e-6);
        assert!((normal_two_sided(0.0) - 1.0).abs() < 1e-6);
        // Chi-square with 1 df is z squared.
        let z: f64 = 2.3;
        assert!((chi_square_p(z * z, 1.0) - normal_two_sided(z)).abs() < 1e-6);
        // Tabulated: chi-square 5.991 at 2 df and 7.815 at 3 df are the 5 % points.
        assert!((chi_square_p(5.991_464_547, 2.0) - 0.05).abs() < 1e-6);
        assert!((chi_square_p(7.814_727_903, 3.0) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn wilson_interval_of_a_known_case() {
        // 10 of 100: the Wilson 95 % interval is 0.0552 to 0.1744.
        let (lo, hi) = wilson(10, 100);
        assert!((lo - 0.0552).abs() < 5e-4, "{lo}");
        assert!((hi - 0.1744).abs() < 5e-4, "{hi}");
    }
}

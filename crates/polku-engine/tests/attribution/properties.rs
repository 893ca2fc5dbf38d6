//! Properties over random path sets: every model credits exactly the totals; Shapley axioms.

use polku_engine::attribution::shapley::{self, ShapleyWorth};
use polku_engine::attribution::{
    MarkovOptions, Model, PathSet, PathSetBuilder, Settings, attribute, fractribution,
    markov::MarkovModel,
};
use proptest::prelude::*;

/// A path over `channels` channels with its conversions, nulls and value (value only with
/// conversions).
type Row = (Vec<usize>, u32, u32, u32);

fn rows(channels: usize, max_rows: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::collection::vec(0..channels, 1..7),
            0u32..5,
            0u32..5,
            0u32..500,
        ),
        1..max_rows,
    )
}

fn name(c: usize) -> String {
    if c == 0 {
        "direct".to_owned()
    } else {
        format!("ch{c}")
    }
}

fn build(rows: &[Row]) -> PathSet {
    let mut b = PathSetBuilder::new();
    for (path, conv, null, value) in rows {
        let value = if *conv == 0 { 0.0 } else { f64::from(*value) };
        b.add_named(
            path.iter().map(|&c| name(c)),
            f64::from(*conv),
            f64::from(*null),
            value,
        )
        .unwrap();
    }
    // Every set has a non-conversion, so the models that need them can run.
    b.add_named(["ch1"], 0.0, 1.0, 0.0).unwrap();
    b.build()
}

fn settings(order: usize) -> Settings {
    Settings {
        markov: MarkovOptions {
            order,
            ..MarkovOptions::default()
        },
        ..Settings::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every model's credits add up to the total conversions and the total value.
    #[test]
    fn credits_sum_to_totals(rows in rows(6, 25), order in 1usize..=4) {
        let paths = build(&rows);
        let (conv, value) = (paths.total_conversions(), paths.total_value());
        for model in Model::ALL {
            let c = attribute(&paths, model, &settings(order)).unwrap();
            prop_assert!((c.total_conversions() - conv).abs() <= 1e-9 * conv.max(1.0), "{model}: {} vs {conv}", c.total_conversions());
            prop_assert!((c.total_value() - value).abs() <= 1e-9 * value.max(1.0), "{model}: {} vs {value}", c.total_value());
            prop_assert!(c.conversions.iter().chain(&c.value).all(|&x| x >= -1e-12), "{model}: negative credit");
        }
        let rate = Settings { shapley: ShapleyWorth::ConversionRate, ..settings(order) };
        let c = attribute(&paths, Model::Shapley, &rate).unwrap();
        prop_assert!((c.total_conversions() - conv).abs() <= 1e-9 * conv.max(1.0));
    }

    /// Removal effects are probabilities, and the Markov cut-off only loses conversions.
    #[test]
    fn markov_removal_effects_are_probabilities(rows in rows(5, 20), order in 1usize..=4) {
        let paths = build(&rows);
        let opts = MarkovOptions { order, ..MarkovOptions::default() };
        let exact = MarkovModel::fit(&paths, &opts).unwrap().solve().unwrap();
        let cut = MarkovModel::fit(&paths, &MarkovOptions { max_steps: Some(3), ..opts }).unwrap().solve().unwrap();
        prop_assert!(exact.removal_effects.iter().all(|&r| (0.0..=1.0 + 1e-12).contains(&r)));
        prop_assert!(cut.conversion_probability <= exact.conversion_probability + 1e-15);
        prop_assert!(exact.error_bound <= 1e-14);
    }

    /// Efficiency: the Shapley values of the channel-set game sum to the worth of all channels,
    /// and the closed form equals the enumeration over all coalitions.
    #[test]
    fn shapley_efficiency_and_closed_form(rows in rows(6, 25)) {
        let paths = build(&rows);
        for worth in [ShapleyWorth::Conversions, ShapleyWorth::ConversionRate] {
            let (v, _) = shapley::set_game(&paths, worth).unwrap();
            let n = paths.channel_count();
            let phi = shapley::shapley_values(n, &v).unwrap();
            let grand = v[(1 << n) - 1];
            prop_assert!((phi.iter().sum::<f64>() - grand).abs() <= 1e-9 * grand.max(1.0));
            let closed = shapley::simplified(&paths, worth).unwrap();
            let scale = if grand > 0.0 { paths.total_conversions() / grand } else { 0.0 };
            for (c, p) in closed.conversions.iter().zip(&phi) {
                prop_assert!((c - p * scale).abs() <= 1e-9 * paths.total_conversions().max(1.0), "{c} vs {}", p * scale);
            }
        }
    }

    /// Symmetry: two channels that play the same role (every path also occurs with the two
    /// swapped) get the same credit.
    #[test]
    fn shapley_symmetry(rows in rows(5, 15)) {
        let swap = |c: usize| match c { 1 => 2, 2 => 1, x => x };
        let mut all = rows.clone();
        all.extend(rows.iter().map(|(p, c, n, v)| (p.iter().map(|&x| swap(x)).collect(), *c, *n, *v)));
        let mut paths = build(&all);
        // `build` adds a lone ch1 non-conversion; add its mirror.
        let mut b = PathSetBuilder::new();
        for p in paths.iter() {
            b.add_named(p.touches.iter().map(|&c| paths.channel_name(c).to_owned()), p.conversions, p.nulls, p.value).unwrap();
        }
        b.add_named(["ch2"], 0.0, 1.0, 0.0).unwrap();
        paths = b.build();
        let (Some(a), Some(b)) = (paths.channel_id("ch1"), paths.channel_id("ch2")) else { return Ok(()) };
        for worth in [ShapleyWorth::Conversions, ShapleyWorth::ConversionRate] {
            let c = shapley::simplified(&paths, worth).unwrap();
            prop_assert!((c.conversions[a.index()] - c.conversions[b.index()]).abs() <= 1e-9);
            let (v, _) = shapley::set_game(&paths, worth).unwrap();
            let phi = shapley::shapley_values(paths.channel_count(), &v).unwrap();
            prop_assert!((phi[a.index()] - phi[b.index()]).abs() <= 1e-9);
        }
    }

    /// Null player: a channel that only occurs on journeys that never convert adds nothing to
    /// any coalition and gets zero.
    #[test]
    fn shapley_null_channel_gets_zero(rows in rows(5, 15), extra in prop::collection::vec(0usize..5, 0..4)) {
        let mut paths = PathSetBuilder::new();
        for (path, conv, null, value) in &rows {
            let value = if *conv == 0 { 0.0 } else { f64::from(*value) };
            paths.add_named(path.iter().map(|&c| name(c)), f64::from(*conv), f64::from(*null), value).unwrap();
        }
        let mut dud: Vec<String> = extra.iter().map(|&c| name(c)).collect();
        dud.push("dud".to_owned());
        paths.add_named(&dud, 0.0, 3.0, 0.0).unwrap();
        let paths = paths.build();
        let z = paths.channel_id("dud").unwrap().index();
        for worth in [ShapleyWorth::Conversions, ShapleyWorth::ConversionRate] {
            let c = shapley::simplified(&paths, worth).unwrap();
            prop_assert_eq!(c.conversions[z], 0.0);
            let (v, _) = shapley::set_game(&paths, worth).unwrap();
            let phi = shapley::shapley_values(paths.channel_count(), &v).unwrap();
            prop_assert!(phi[z].abs() <= 1e-12);
        }
        let o = shapley::ordered(&paths);
        prop_assert_eq!(o.credits.conversions[z], 0.0);
    }

    /// Fractribution's shares of a path sum to 1 and never go negative.
    #[test]
    fn fractribution_shares_are_fractions(rows in rows(5, 25)) {
        let paths = build(&rows);
        let r = fractribution::fractribution(&paths, &fractribution::FractributionOptions::default()).unwrap();
        for shares in &r.shares {
            let sum: f64 = shares.iter().map(|s| s.1).sum();
            prop_assert!(shares.is_empty() || (sum - 1.0).abs() < 1e-12);
            prop_assert!(shares.iter().all(|s| s.1 >= 0.0));
        }
    }
}

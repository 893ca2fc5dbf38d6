//! Conformance with ChannelAttribution 2.2.5 (PyPI): goldens made by
//! `bench/attribution/channelattribution_golden.py` (see `tests/data/ca_golden.json`).

use polku_engine::attribution::markov::{MarkovModel, MarkovOptions};
use polku_engine::attribution::{PathSet, heuristic};

use crate::util::{close, dense_conversion, fixture, golden, num};

/// Simulated journeys per fold in the golden runs (`nsim_start / nfold`).
const SIMULATIONS_PER_FOLD: f64 = 2_000_000.0 / 10.0;

fn check_heuristics(file: &str, golden_file: &str) {
    let paths = fixture(file);
    let rows = golden(golden_file);
    assert_eq!(rows.len(), paths.channel_count());
    let first = heuristic::first_touch(&paths);
    let last = heuristic::last_touch(&paths);
    let linear = heuristic::linear(&paths);
    for row in &rows {
        let c = paths
            .channel_id(&row["channel_name"])
            .expect("same channels")
            .index();
        for (model, credits) in [
            ("first_touch", &first),
            ("last_touch", &last),
            ("linear_touch", &linear),
        ] {
            let what = format!("{golden_file} {} {model}", row["channel_name"]);
            close(
                &format!("{what} conversions"),
                credits.conversions[c],
                num(row, &format!("{model}_conversions")),
                1e-9,
            );
            close(
                &format!("{what} value"),
                credits.value[c],
                num(row, &format!("{model}_value")),
                1e-7,
            );
        }
    }
}

#[test]
fn heuristic_models_equal_channelattribution_small() {
    check_heuristics("paths_small.csv", "ca_heuristic_small.csv");
}

#[test]
fn heuristic_models_equal_channelattribution_medium() {
    check_heuristics("paths_medium.csv", "ca_heuristic_medium.csv");
}

/// ChannelAttribution stops simulated journeys after the longest path plus one state; with
/// that cut-off our exact results must agree with its estimates within simulation noise
/// (five standard errors of a binomial proportion over the simulated conversions of a fold).
fn check_markov(paths: &PathSet, order: usize, golden_file: &str) {
    let fit = |max_steps| {
        MarkovModel::fit(
            paths,
            &MarkovOptions {
                order,
                max_steps,
                ..MarkovOptions::default()
            },
        )
        .unwrap()
    };
    let model = fit(None);
    let cut = fit(Some(model.longest_path() + 1)).solve().unwrap();
    let exact = model.solve().unwrap();
    let rows = golden(golden_file);
    assert_eq!(rows.len(), paths.channel_count());
    let conversions = SIMULATIONS_PER_FOLD * cut.conversion_probability;
    let sigma = |re: f64| {
        (re * (1.0 - re) / conversions)
            .sqrt()
            .max(1.0 / conversions)
    };
    let sum_re: f64 = cut.removal_effects.iter().sum();
    let sum_sigma: f64 = cut.removal_effects.iter().map(|&re| sigma(re)).sum();
    let total = paths.total_conversions();
    for row in &rows {
        let name = &row["channel_name"];
        let c = paths.channel_id(name).unwrap().index();
        let re = cut.removal_effects[c];
        let what = format!("{golden_file} {name}");
        close(
            &format!("{what} removal effect"),
            re,
            num(row, "removal_effects_conversion"),
            5.0 * sigma(re),
        );
        let share = cut.credits.conversions[c] / total;
        let tol = total * 5.0 * (sigma(re) + share * sum_sigma) / sum_re;
        close(
            &format!("{what} conversions"),
            cut.credits.conversions[c],
            num(row, "total_conversions"),
            tol,
        );
        // Values are drawn per conversion, which roughly doubles the spread.
        let rv = cut.value_removal_effects[c];
        close(
            &format!("{what} value removal effect"),
            rv,
            num(row, "removal_effects_conversion_value"),
            10.0 * sigma(rv),
        );
        // Without the cut-off, the exact answer moves by no more than the journeys that the
        // cut-off drops.
        let dropped = exact.conversion_probability - cut.conversion_probability;
        assert!(dropped >= 0.0);
        close(
            &format!("{what} exact vs cut-off"),
            exact.removal_effects[c],
            re,
            2.0 * dropped / exact.conversion_probability + 1e-12,
        );
    }
}

#[test]
fn markov_order_1_within_simulation_noise_small() {
    check_markov(&fixture("paths_small.csv"), 1, "ca_markov_small_order1.csv");
}

#[test]
fn markov_order_2_within_simulation_noise_small() {
    check_markov(&fixture("paths_small.csv"), 2, "ca_markov_small_order2.csv");
}

#[test]
fn markov_order_3_within_simulation_noise_small() {
    check_markov(&fixture("paths_small.csv"), 3, "ca_markov_small_order3.csv");
}

#[test]
fn markov_order_1_within_simulation_noise_medium() {
    check_markov(
        &fixture("paths_medium.csv"),
        1,
        "ca_markov_medium_order1.csv",
    );
}

#[test]
fn markov_order_2_within_simulation_noise_medium() {
    check_markov(
        &fixture("paths_medium.csv"),
        2,
        "ca_markov_medium_order2.csv",
    );
}

fn check_transitions(order: usize, golden_file: &str) {
    let paths = fixture("paths_small.csv");
    let model = MarkovModel::fit(
        &paths,
        &MarkovOptions {
            order,
            ..MarkovOptions::default()
        },
    )
    .unwrap();
    let ours = model.transition_matrix();
    let rows = golden(golden_file);
    assert_eq!(ours.len(), rows.len(), "same number of transitions");
    for row in &rows {
        let (from, to) = (&row["channel_from"], &row["channel_to"]);
        let t = ours
            .iter()
            .find(|t| &t.from == from && &t.to == to)
            .unwrap_or_else(|| panic!("transition {from} -> {to} missing"));
        close(
            &format!("{from} -> {to}"),
            t.probability,
            num(row, "transition_probability"),
            1e-12,
        );
    }
}

#[test]
fn transition_matrix_equals_channelattribution_order_1() {
    check_transitions(1, "ca_transitions_small_order1.csv");
}

#[test]
fn transition_matrix_equals_channelattribution_order_2() {
    check_transitions(2, "ca_transitions_small_order2.csv");
}

/// The solver's answers equal a plain dense elimination over the whole transition matrix,
/// for the full chain and for the removal of every channel.
#[test]
fn markov_equals_dense_reference_solution() {
    let paths = fixture("paths_small.csv");
    for order in 1..=3 {
        let model = MarkovModel::fit(
            &paths,
            &MarkovOptions {
                order,
                ..MarkovOptions::default()
            },
        )
        .unwrap();
        let result = model.solve().unwrap();
        let t: Vec<(String, String, f64)> = model
            .transition_matrix()
            .into_iter()
            .map(|t| (t.from, t.to, t.probability))
            .collect();
        let p = dense_conversion(&t, &|_| false);
        close(
            &format!("order {order} conversion probability"),
            result.conversion_probability,
            p,
            1e-12,
        );
        for (c, name) in paths.channel_names().iter().enumerate() {
            let pc = dense_conversion(&t, &|state| state.split(',').any(|ch| ch == name));
            close(
                &format!("order {order} removal effect of {name}"),
                result.removal_effects[c],
                1.0 - pc / p,
                1e-11,
            );
        }
    }
}

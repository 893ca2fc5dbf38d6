//! Markov chains worked out by hand, and the iterative solver against a long finite horizon.

use polku_engine::attribution::markov::{MarkovModel, MarkovOptions};
use polku_engine::attribution::{PathSet, PathSetBuilder};

use crate::util::{close, fixture};

fn set(rows: &[(&[&str], f64, f64, f64)]) -> PathSet {
    let mut b = PathSetBuilder::new();
    for (path, conv, null, value) in rows {
        b.add_named(path.iter().copied(), *conv, *null, *value)
            .unwrap();
    }
    b.build()
}

fn order(k: usize) -> MarkovOptions {
    MarkovOptions {
        order: k,
        ..MarkovOptions::default()
    }
}

/// Order 1.
///
/// Paths (conversions, nulls, value): `a > b` (1, 1, 10), `b` (0, 2, 0), `a` (1, 0, 4),
/// `b > a > b` (1, 0, 20).
///
/// Transition counts (journeys = conversions + nulls): start→a 2+1 = 3, start→b 2+1 = 3;
/// a→b 2+1 = 3, a→conv 1; b→a 1, b→conv 1+1 = 2, b→null 1+2 = 3. So
/// P(start→a) = P(start→b) = 1/2; P(a→b) = 3/4, P(a→conv) = 1/4;
/// P(b→a) = 1/6, P(b→conv) = 1/3, P(b→null) = 1/2.
///
/// p_a = 1/4 + 3/4 p_b and p_b = 1/3 + 1/6 p_a give p_a = 4/7, p_b = 3/7, and
/// P = (4/7 + 3/7) / 2 = 1/2. Without a: p_b = 1/3, P = 1/6, removal effect 1 - (1/6)/(1/2) =
/// 2/3. Without b: p_a = 1/4, P = 1/8, removal effect 3/4. Conversions (3) are shared 2/3 : 3/4,
/// so a gets 3 * 8/17 = 24/17 and b 27/17.
///
/// Value: the mean value per conversion ending in a is 4, in b (10 + 20) / 2 = 15; per step
/// the reward is r_a = 1/4 * 4 = 1 and r_b = 1/3 * 15 = 5. w_a = 1 + 3/4 w_b and
/// w_b = 5 + 1/6 w_a give w_a = 38/7, w_b = 124/21 and W = 17/3. Without a: W = 5/2, effect
/// 1 - 15/34 = 19/34; without b: W = 1/2, effect 31/34. Value (34) is shared 19 : 31.
#[test]
fn hand_worked_order_1() {
    let paths = set(&[
        (&["a", "b"], 1.0, 1.0, 10.0),
        (&["b"], 0.0, 2.0, 0.0),
        (&["a"], 1.0, 0.0, 4.0),
        (&["b", "a", "b"], 1.0, 0.0, 20.0),
    ]);
    let r = MarkovModel::fit(&paths, &order(1))
        .unwrap()
        .solve()
        .unwrap();
    let eps = 1e-14;
    close("P", r.conversion_probability, 0.5, eps);
    close("RE a", r.removal_effects[0], 2.0 / 3.0, eps);
    close("RE b", r.removal_effects[1], 0.75, eps);
    close("credit a", r.credits.conversions[0], 24.0 / 17.0, eps);
    close("credit b", r.credits.conversions[1], 27.0 / 17.0, eps);
    close("W", r.value_per_journey, 17.0 / 3.0, eps);
    close("value RE a", r.value_removal_effects[0], 19.0 / 34.0, eps);
    close("value RE b", r.value_removal_effects[1], 31.0 / 34.0, eps);
    close("value a", r.credits.value[0], 34.0 * 19.0 / 50.0, 1e-12);
    close("value b", r.credits.value[1], 34.0 * 31.0 / 50.0, 1e-12);
    assert!(r.error_bound < 1e-15);
}

/// The same chain with a cut-off: with at most one channel state, only start→a→conv (1/8) and
/// start→b→conv (1/6) count: 7/24. With two, also start→a→b→conv (1/2 * 3/4 * 1/3 = 1/8) and
/// start→b→a→conv (1/2 * 1/6 * 1/4 = 1/48): 21/48.
#[test]
fn hand_worked_order_1_with_cut_off() {
    let paths = set(&[
        (&["a", "b"], 1.0, 1.0, 10.0),
        (&["b"], 0.0, 2.0, 0.0),
        (&["a"], 1.0, 0.0, 4.0),
        (&["b", "a", "b"], 1.0, 0.0, 20.0),
    ]);
    let p = |steps| {
        let o = MarkovOptions {
            max_steps: Some(steps),
            ..order(1)
        };
        MarkovModel::fit(&paths, &o)
            .unwrap()
            .solve()
            .unwrap()
            .conversion_probability
    };
    close("one state", p(1), 7.0 / 24.0, 1e-15);
    close("two states", p(2), 21.0 / 48.0, 1e-15);
    close("long", p(400), 0.5, 1e-15);
}

/// Order 2.
///
/// Paths (conversions, nulls): `a > b > c` (1, 1), `a > b` (0, 2), `b > c` (1, 1), `c` (1, 1),
/// `a > b > a > b` (1, 0). States are pairs; `c` alone is shorter than 2 and stays the state
/// `c`; `a > b > a > b` is `ab → ba → ab`.
///
/// Counts: start→ab 2+2+1 = 5, start→bc 2, start→c 2 (of 9); ab→bc 2, ab→ba 1, ab→conv 1,
/// ab→null 2 (of 6); ba→ab 1 (of 1); bc→conv 2, bc→null 2; c→conv 1, c→null 1.
///
/// p_bc = p_c = 1/2, p_ba = p_ab, p_ab = 2/6 * 1/2 + 1/6 p_ab + 1/6, so p_ab = 2/5 and
/// P = 5/9 * 2/5 + 2/9 * 1/2 + 2/9 * 1/2 = 4/9.
/// Without a (ab, ba gone): P = 2/9, effect 1/2. Without b (ab, ba, bc gone): P = 1/9, effect
/// 3/4. Without c (bc, c gone): p_ab = 1/6 p_ab + 1/6, so p_ab = 1/5 and P = 1/9, effect 3/4.
/// Conversions (4) are shared 1/2 : 3/4 : 3/4 = 1 : 1.5 : 1.5.
#[test]
fn hand_worked_order_2() {
    let paths = set(&[
        (&["a", "b", "c"], 1.0, 1.0, 0.0),
        (&["a", "b"], 0.0, 2.0, 0.0),
        (&["b", "c"], 1.0, 1.0, 0.0),
        (&["c"], 1.0, 1.0, 0.0),
        (&["a", "b", "a", "b"], 1.0, 0.0, 0.0),
    ]);
    let model = MarkovModel::fit(&paths, &order(2)).unwrap();
    assert_eq!(model.state_count(), 4);
    let r = model.solve().unwrap();
    let eps = 1e-14;
    close("P", r.conversion_probability, 4.0 / 9.0, eps);
    close("RE a", r.removal_effects[0], 0.5, eps);
    close("RE b", r.removal_effects[1], 0.75, eps);
    close("RE c", r.removal_effects[2], 0.75, eps);
    for (c, want) in [1.0, 1.5, 1.5].into_iter().enumerate() {
        close("credit", r.credits.conversions[c], want, 1e-13);
    }
}

/// A state space too large for the direct solver goes through Gauss–Seidel sweeps; the answer
/// matches a finite-horizon recursion run long enough for the dropped mass to vanish, and the
/// reported error bound holds.
#[test]
fn iterative_solver_matches_long_horizon() {
    let paths = fixture("paths_medium.csv");
    let model = MarkovModel::fit(&paths, &order(3)).unwrap();
    assert!(
        model.largest_component() > 192,
        "component of {}",
        model.largest_component()
    );
    let exact = model.solve().unwrap();
    assert!(exact.sweeps > 0);
    assert!(exact.error_bound <= 1e-14, "bound {}", exact.error_bound);
    let long = MarkovModel::fit(
        &paths,
        &MarkovOptions {
            max_steps: Some(4000),
            ..order(3)
        },
    )
    .unwrap()
    .solve()
    .unwrap();
    close(
        "P",
        exact.conversion_probability,
        long.conversion_probability,
        1e-13,
    );
    for c in 0..paths.channel_count() {
        close(
            "removal effect",
            exact.removal_effects[c],
            long.removal_effects[c],
            1e-12,
        );
        close(
            "credit",
            exact.credits.conversions[c],
            long.credits.conversions[c],
            1e-9,
        );
        close(
            "value credit",
            exact.credits.value[c],
            long.credits.value[c],
            1e-6,
        );
    }
}

/// Same answer whatever the number of threads.
#[test]
fn deterministic_across_threads() {
    let paths = fixture("paths_small.csv");
    let run = |threads| {
        MarkovModel::fit(
            &paths,
            &MarkovOptions {
                threads,
                ..order(2)
            },
        )
        .unwrap()
        .solve()
        .unwrap()
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn rejects_bad_orders() {
    let paths = fixture("paths_small.csv");
    assert!(MarkovModel::fit(&paths, &order(0)).is_err());
    assert!(MarkovModel::fit(&paths, &order(5)).is_err());
}

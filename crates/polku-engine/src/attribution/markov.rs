//! k-order Markov attribution by removal effect, solved exactly.
//!
//! States follow ChannelAttribution: `(start)`, `(conversion)`, `(null)` and channel states.
//! A state of order `k` is `k` consecutive touches: the path `a > b > c > d` is the walk
//! `(start) → a,b → b,c → c,d` at order 2. A path shorter than `k` is one state holding all its
//! touches (`a` alone is the state `a`, distinct from any pair). Repeats of the same state in a
//! row are merged (`a > a > b` is `a → b` at order 1), so no state leads to itself. Each unique
//! path adds its journeys (conversions plus nulls) to the transitions along it, its conversions
//! to `last state → (conversion)` and its nulls to `last state → (null)`; transition
//! probabilities are these counts normalised per state.
//!
//! The removal effect of a channel is the relative drop in the probability of reaching
//! `(conversion)` from `(start)` when every state that contains the channel leads to `(null)`
//! instead. Since a journey that never touches the channel is unaffected by removing it, this
//! equals the probability that a converting journey of the chain touches the channel, which is
//! what ChannelAttribution's simulation estimates; here it is computed exactly (see the solver
//! notes in the crate's `chain` module). Conversions are shared in proportion to the removal
//! effects.
//!
//! Conversion value is spread as ChannelAttribution spreads it: a converting journey carries the
//! mean value per conversion of the paths that end in its last state, the value removal effect
//! is the drop in expected value, and value is shared in proportion to it.
//!
//! ChannelAttribution stops each simulated journey after the longest observed path plus one
//! state and counts it as not converting; [`MarkovOptions::max_steps`] reproduces that cut-off
//! exactly (by a finite-horizon recursion), while the default solves the chain without one.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::chain::{Absorption, Chain, MAX_LANES};
use super::paths::{FxMap, PathSet};
use super::{AttributionError, Credits};

/// Chains of at most this many states are solved on the calling thread.
const SMALL_CHAIN: usize = 64;

/// The highest supported order.
pub const MAX_ORDER: usize = 4;

/// Settings of the Markov model.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkovOptions {
    /// Order `k` (1 to 4): a state is `k` consecutive touches.
    pub order: usize,
    /// If set, a journey that has not been absorbed after visiting this many channel states
    /// counts as not converting (ChannelAttribution's `max_step`; its default is
    /// [`MarkovModel::longest_path`] + 1). `None` solves the chain without a cut-off.
    pub max_steps: Option<usize>,
    /// Bound on the absolute error of conversion probabilities for the iterative part of the
    /// solver; direct solves are exact up to rounding.
    pub tolerance: f64,
    /// Limit on Gauss–Seidel sweeps per component.
    pub max_sweeps: usize,
    /// Threads for the removal solves; 0 uses the available parallelism.
    pub threads: usize,
}

impl Default for MarkovOptions {
    fn default() -> Self {
        Self {
            order: 1,
            max_steps: None,
            tolerance: 1e-14,
            max_sweeps: 1_000_000,
            threads: 0,
        }
    }
}

/// One transition of the chain, with state names as in ChannelAttribution (`(start)`,
/// `(conversion)`, `(null)`, or the state's channels joined by `,`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Transition {
    /// State left.
    pub from: String,
    /// State entered.
    pub to: String,
    /// Transition probability.
    pub probability: f64,
}

/// A fitted Markov chain over a [`PathSet`].
#[derive(Debug, Clone)]
pub struct MarkovModel {
    options: MarkovOptions,
    names: Vec<String>,
    /// Channels of each state (index 0 is the start), padded with `u32::MAX`.
    states: Vec<[u32; MAX_ORDER]>,
    chain: Chain,
    /// States that no journey with a non-zero count leaves (only on zero-count paths).
    dead: Vec<bool>,
    total_conversions: f64,
    total_value: f64,
    longest: usize,
}

/// The solved model: removal effects and credits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MarkovResult {
    /// Order of the chain.
    pub order: usize,
    /// Probability of conversion from the start.
    pub conversion_probability: f64,
    /// Expected conversion value per journey.
    pub value_per_journey: f64,
    /// Removal effect on conversions per channel (share of converting journeys lost).
    pub removal_effects: Vec<f64>,
    /// Removal effect on conversion value per channel.
    pub value_removal_effects: Vec<f64>,
    /// Conversions and value credited per channel.
    pub credits: Credits,
    /// Bound on the absolute error of any conversion probability computed (0 when every part
    /// was solved directly; rounding aside).
    pub error_bound: f64,
    /// Bound on the absolute error of any expected value per journey computed.
    pub value_error_bound: f64,
    /// Gauss–Seidel sweeps done (each sweep updates a batch of the removal solves at once).
    pub sweeps: usize,
}

impl MarkovModel {
    /// Builds the chain of the given order from the paths.
    ///
    /// # Errors
    /// [`AttributionError::InvalidParameter`] for an order outside 1–4, a non-positive
    /// tolerance or `max_steps` of 0.
    pub fn fit(paths: &PathSet, options: &MarkovOptions) -> Result<Self, AttributionError> {
        let k = options.order;
        if !(1..=MAX_ORDER).contains(&k) {
            return Err(AttributionError::InvalidParameter {
                name: "order",
                reason: format!("must be 1 to {MAX_ORDER}, got {k}"),
            });
        }
        if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
            return Err(AttributionError::InvalidParameter {
                name: "tolerance",
                reason: format!("must be positive, got {}", options.tolerance),
            });
        }
        if options.max_steps == Some(0) {
            return Err(AttributionError::InvalidParameter {
                name: "max-steps",
                reason: "must be at least 1".to_owned(),
            });
        }
        let channels = paths.channel_count();

        // Pass 1: each path as a sequence of state ids, repeats merged.
        let mut states: Vec<[u32; MAX_ORDER]> = vec![[u32::MAX; MAX_ORDER]];
        let mut index: FxMap<u128, u32> = FxMap::default();
        if k == 1 {
            states.extend((0..channels).map(|c| {
                let mut s = [u32::MAX; MAX_ORDER];
                s[0] = c as u32;
                s
            }));
        }
        let mut seq: Vec<u32> = Vec::with_capacity(paths.touch_count() + paths.len());
        let mut seq_ptr: Vec<usize> = Vec::with_capacity(paths.len() + 1);
        seq_ptr.push(0);
        let mut longest = 0;
        for path in paths.iter() {
            let t = path.touches;
            let start = seq.len();
            let mut push = |window: &[super::ChannelId], seq: &mut Vec<u32>| {
                let id = if k == 1 {
                    window[0].raw() + 1
                } else {
                    let mut key: u128 = 0;
                    let mut channels = [u32::MAX; MAX_ORDER];
                    for (i, c) in window.iter().enumerate() {
                        key |= u128::from(c.raw() + 1) << (32 * i);
                        channels[i] = c.raw();
                    }
                    *index.entry(key).or_insert_with(|| {
                        states.push(channels);
                        (states.len() - 1) as u32
                    })
                };
                if seq.len() == start || seq[seq.len() - 1] != id {
                    seq.push(id);
                }
            };
            if t.len() < k {
                push(t, &mut seq);
            } else {
                for w in t.windows(k) {
                    push(w, &mut seq);
                }
            }
            longest = longest.max(seq.len() - start);
            seq_ptr.push(seq.len());
        }

        // Number the states in the order of their channels, so that the successors of a state
        // (its channels shifted by one) are neighbours in memory for the solver.
        if k > 1 {
            let mut by_channels: Vec<u32> = (1..states.len() as u32).collect();
            by_channels.sort_unstable_by_key(|&s| states[s as usize]);
            let mut rank = vec![0u32; states.len()];
            for (new, &old) in by_channels.iter().enumerate() {
                rank[old as usize] = new as u32 + 1;
            }
            for id in &mut seq {
                *id = rank[*id as usize];
            }
            let old = std::mem::take(&mut states);
            states.push(old[0]);
            states.extend(by_channels.iter().map(|&s| old[s as usize]));
        }

        // Pass 2: transition counts.
        let n = states.len();
        let mut conv = vec![0.0; n];
        let mut null = vec![0.0; n];
        let mut value = vec![0.0; n];
        let mut edges = EdgeCounts::new(n);
        for (i, path) in paths.iter().enumerate() {
            let s = &seq[seq_ptr[i]..seq_ptr[i + 1]];
            let w = path.conversions + path.nulls;
            if w > 0.0 {
                let mut from = 0u32;
                for &to in s {
                    edges.add(from, to, w);
                    from = to;
                }
            }
            let last = s[s.len() - 1] as usize;
            conv[last] += path.conversions;
            null[last] += path.nulls;
            if path.conversions > 0.0 {
                value[last] += path.value;
            }
        }
        let (row_ptr, col, mut prob) = edges.into_csr();
        let mut dead = vec![false; n];
        // Expected visits per journey: every entry into a state is followed by one exit, so
        // the fitted chain visits each state as often as the journeys did.
        let mut visits = vec![0.0; n];
        let journeys: f64 = prob[row_ptr[0]..row_ptr[1]].iter().sum();
        for s in 0..n {
            let out: f64 = prob[row_ptr[s]..row_ptr[s + 1]].iter().sum::<f64>() + conv[s] + null[s];
            if out > 0.0 {
                if journeys > 0.0 {
                    visits[s] = out / journeys;
                }
                for p in &mut prob[row_ptr[s]..row_ptr[s + 1]] {
                    *p /= out;
                }
                conv[s] /= out;
                null[s] /= out;
                value[s] /= out;
            } else {
                dead[s] = true;
            }
        }
        let chain = Chain::new(row_ptr, col, prob, conv, null, value, visits);
        Ok(Self {
            options: options.clone(),
            names: paths.channel_names().to_vec(),
            states,
            chain,
            dead,
            total_conversions: paths.total_conversions(),
            total_value: paths.total_value(),
            longest,
        })
    }

    /// Order of the chain.
    #[must_use]
    pub fn order(&self) -> usize {
        self.options.order
    }

    /// Number of channel states (without start, conversion and null).
    #[must_use]
    pub fn state_count(&self) -> usize {
        self.states.len() - 1
    }

    /// Size of the largest strongly connected set of states (what the solver works on at once).
    #[must_use]
    pub fn largest_component(&self) -> usize {
        self.chain.largest_component()
    }

    /// The number of states on the longest path (after merging repeats).
    #[must_use]
    pub fn longest_path(&self) -> usize {
        self.longest
    }

    fn state_name(&self, s: usize) -> String {
        if s == 0 {
            return "(start)".to_owned();
        }
        self.states[s]
            .iter()
            .take_while(|&&c| c != u32::MAX)
            .map(|&c| self.names[c as usize].as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The transition matrix, row by row, without zero entries.
    #[must_use]
    pub fn transition_matrix(&self) -> Vec<Transition> {
        let mut out = Vec::new();
        for s in 0..self.chain.len() {
            let from = self.state_name(s);
            for (t, p) in self.chain.row(s) {
                out.push(Transition {
                    from: from.clone(),
                    to: self.state_name(t),
                    probability: p,
                });
            }
            let (c, n) = self.chain.absorption(s);
            for (name, p) in [("(conversion)", c), ("(null)", n)] {
                // States without outflow are made null-absorbing by the solver; they have no row.
                if p > 0.0 && !self.dead[s] {
                    out.push(Transition {
                        from: from.clone(),
                        to: name.to_owned(),
                        probability: p,
                    });
                }
            }
        }
        out
    }

    /// Solves lanes `first..first + count`, where lane 0 is the whole chain and lane `c + 1`
    /// the chain without channel `c`.
    fn absorb(&self, first: usize, count: usize) -> Result<Vec<Absorption>, AttributionError> {
        let removed = |s: usize| -> u64 {
            if s == 0 {
                return 0;
            }
            let mut mask = 0u64;
            for &c in self.states[s].iter().take_while(|&&c| c != u32::MAX) {
                let lane = c as usize + 1;
                if (first..first + count).contains(&lane) {
                    mask |= 1 << (lane - first);
                }
            }
            mask
        };
        match self.options.max_steps {
            Some(steps) => Ok(self.chain.solve_horizon(count, &removed, steps + 1)),
            None => self.chain.solve(
                count,
                &removed,
                self.options.tolerance,
                self.options.max_sweeps,
            ),
        }
    }

    /// Solves the chain and the removal of every channel.
    ///
    /// # Errors
    /// [`AttributionError::NotConverged`] if an iterative solve needs more than
    /// [`MarkovOptions::max_sweeps`] sweeps.
    pub fn solve(&self) -> Result<MarkovResult, AttributionError> {
        let channels = self.names.len();
        let lanes = channels + 1;
        let threads = match self.options.threads {
            // A chain of a few dozen states (first order, or few channels) is solved sooner
            // than threads start.
            0 if self.chain.len() <= SMALL_CHAIN => 1,
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            t => t,
        }
        .clamp(1, lanes);
        // Lanes in batches: one per thread, each at most MAX_LANES wide.
        let batches = threads.max(lanes.div_ceil(MAX_LANES));
        let size = lanes.div_ceil(batches);
        let ranges: Vec<(usize, usize)> = (0..lanes)
            .step_by(size)
            .map(|first| (first, size.min(lanes - first)))
            .collect();
        let next = AtomicUsize::new(0);
        let work = || -> Result<Batches, AttributionError> {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(first, count)) = ranges.get(i) else {
                    return Ok(done);
                };
                done.push((first, self.absorb(first, count)?));
            }
        };
        let parts: Vec<Result<Batches, AttributionError>> = if threads == 1 {
            vec![work()]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads.min(ranges.len()))
                    .map(|_| scope.spawn(work))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("solver thread panicked"))
                    .collect()
            })
        };
        let mut solved: Vec<Option<Absorption>> = vec![None; lanes];
        for part in parts {
            for (first, results) in part? {
                for (i, a) in results.into_iter().enumerate() {
                    solved[first + i] = Some(a);
                }
            }
        }
        let solved: Vec<Absorption> = solved
            .into_iter()
            .map(|a| a.expect("every lane solved"))
            .collect();
        let full = solved[0];
        let removed = &solved[1..];
        let sweeps = ranges.iter().map(|&(first, _)| solved[first].sweeps).sum();

        let mut effects = vec![0.0; channels];
        let mut value_effects = vec![0.0; channels];
        let mut bound = full.bound;
        let mut value_bound = full.value_bound;
        for (c, a) in removed.iter().enumerate() {
            bound = bound.max(a.bound);
            value_bound = value_bound.max(a.value_bound);
            if full.conversion > 0.0 {
                effects[c] = (1.0 - a.conversion / full.conversion).max(0.0);
            }
            if full.value > 0.0 {
                value_effects[c] = (1.0 - a.value / full.value).max(0.0);
            }
        }
        let share = |effects: &[f64], total: f64| -> Vec<f64> {
            let sum: f64 = effects.iter().sum();
            if sum > 0.0 {
                effects.iter().map(|e| e / sum * total).collect()
            } else {
                vec![0.0; effects.len()]
            }
        };
        Ok(MarkovResult {
            order: self.options.order,
            conversion_probability: full.conversion,
            value_per_journey: full.value,
            credits: Credits {
                conversions: share(&effects, self.total_conversions),
                value: share(&value_effects, self.total_value),
            },
            removal_effects: effects,
            value_removal_effects: value_effects,
            error_bound: bound,
            value_error_bound: value_bound,
            sweeps,
        })
    }
}

/// Solved batches of lanes: the first lane of each, and its results.
type Batches = Vec<(usize, Vec<Absorption>)>;

/// Transition counts: a dense matrix for small state spaces, a hash map otherwise.
enum EdgeCounts {
    Dense { n: usize, counts: Vec<f64> },
    Sparse { n: usize, counts: FxMap<u64, f64> },
}

impl EdgeCounts {
    fn new(n: usize) -> Self {
        if n * n <= 1 << 20 {
            EdgeCounts::Dense {
                n,
                counts: vec![0.0; n * n],
            }
        } else {
            EdgeCounts::Sparse {
                n,
                counts: FxMap::default(),
            }
        }
    }

    #[inline]
    fn add(&mut self, from: u32, to: u32, w: f64) {
        match self {
            EdgeCounts::Dense { n, counts } => counts[from as usize * *n + to as usize] += w,
            EdgeCounts::Sparse { counts, .. } => {
                *counts
                    .entry((u64::from(from) << 32) | u64::from(to))
                    .or_insert(0.0) += w;
            }
        }
    }

    /// Rows in CSR form, columns sorted.
    fn into_csr(self) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
        match self {
            EdgeCounts::Dense { n, counts } => {
                let mut row_ptr = Vec::with_capacity(n + 1);
                let mut col = Vec::new();
                let mut val = Vec::new();
                row_ptr.push(0);
                for s in 0..n {
                    for t in 0..n {
                        let w = counts[s * n + t];
                        if w > 0.0 {
                            col.push(t as u32);
                            val.push(w);
                        }
                    }
                    row_ptr.push(col.len());
                }
                (row_ptr, col, val)
            }
            EdgeCounts::Sparse { n, counts } => {
                let mut entries: Vec<(u64, f64)> =
                    counts.into_iter().filter(|e| e.1 > 0.0).collect();
                entries.sort_unstable_by_key(|e| e.0);
                let mut row_ptr = vec![0usize; n + 1];
                for &(key, _) in &entries {
                    row_ptr[(key >> 32) as usize + 1] += 1;
                }
                for s in 0..n {
                    row_ptr[s + 1] += row_ptr[s];
                }
                let col = entries.iter().map(|e| (e.0 & 0xffff_ffff) as u32).collect();
                let val = entries.iter().map(|e| e.1).collect();
                (row_ptr, col, val)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::PathSetBuilder;
    use super::*;

    #[test]
    fn order_two_states_follow_channel_attribution() {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b", "c"], 1.0, 1.0, 0.0).unwrap();
        b.add_named(["a", "a"], 2.0, 0.0, 0.0).unwrap();
        b.add_named(["b"], 0.0, 3.0, 0.0).unwrap();
        b.add_named(["c", "a", "b", "a"], 1.0, 2.0, 0.0).unwrap();
        let m = MarkovModel::fit(
            &b.build(),
            &MarkovOptions {
                order: 2,
                ..MarkovOptions::default()
            },
        )
        .unwrap();
        let t: Vec<(String, String, f64)> = m
            .transition_matrix()
            .into_iter()
            .map(|t| (t.from, t.to, t.probability))
            .collect();
        let has = |from: &str, to: &str, p: f64| {
            assert!(
                t.iter()
                    .any(|(f, o, q)| f == from && o == to && (q - p).abs() < 1e-12),
                "{from} -> {to} ({p}) missing in {t:?}"
            );
        };
        // Same entries as ChannelAttribution 2.2.5's transition_matrix for these paths.
        has("(start)", "a,b", 0.2);
        has("(start)", "a,a", 0.2);
        has("(start)", "b", 0.3);
        has("(start)", "c,a", 0.3);
        has("a,b", "b,c", 0.4);
        has("a,b", "b,a", 0.6);
        has("b,c", "(conversion)", 0.5);
        has("a,a", "(conversion)", 1.0);
        has("b", "(null)", 1.0);
        has("b,a", "(conversion)", 1.0 / 3.0);
        assert_eq!(t.len(), 13);
        assert_eq!(m.longest_path(), 3);
    }
}

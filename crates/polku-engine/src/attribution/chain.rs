//! Absorbing Markov chains: exact absorption probabilities and expected rewards from the start
//! state, with sets of states made absorbing ("removed").
//!
//! Transient states are `0..n`, state 0 is the start. From state `s` the chain moves to `t` with
//! probability `P(s, t)`, is absorbed into "conversion" with `conv[s]` (collecting `reward[s]`
//! in expectation) or into "null" otherwise. We need, from the start, the probability of
//! conversion `p = (I - Q)^-1 conv` and the expected value `w = (I - Q)^-1 reward`.
//!
//! The state graph is split into strongly connected components (Tarjan), which come out
//! successors first, so the system is block triangular and is solved one component at a time:
//!
//! * a component of one state without a self-loop is a single exact substitution;
//! * a component of at most [`DENSE_MAX`] states is solved by dense LU with partial pivoting;
//! * a larger one by Gauss–Seidel sweeps, which from zero give monotone lower bounds.
//!
//! The error of the sweeps is bounded a posteriori. Let `x` be the final vector and
//! `r = conv + Q x - x` its residual (zero outside the iterated components, which are exact
//! given their successors). The error at the start is `(G r)(start)` with `G = (I - Q)^-1`,
//! and `G(start, s)` is the expected number of visits to `s` per journey. For a chain fitted
//! to counted paths this is known without solving anything: every entry into a state is
//! followed by exactly one exit, so the visits of the fitted chain equal the observed visits,
//! `pi(s)` = journeys' entries into `s` / journeys. Removing states only lowers `G`, so for
//! every variant `|error(start)| <= Σ_s pi(s) |r(s)|`, which is what the sweeps drive below
//! the tolerance (checked every few sweeps; they also stop when the bound no longer shrinks
//! at the rounding floor). The same holds for the expected value with its own residual.
//!
//! Every state absorbs with probability 1 because each lies on an observed path that ends in
//! conversion or null (states without any outflow are made null-absorbing), so `I - Q` is
//! non-singular and the sweeps converge.
//!
//! Removing a channel gives another chain on the same states. Up to [`MAX_LANES`] such
//! variants ("lanes") are solved side by side, so a sweep reads every transition once for all
//! of them.

use super::AttributionError;

/// Components up to this size are solved by dense LU.
pub(crate) const DENSE_MAX: usize = 192;

/// Most lanes solved together (one bit each in a removal mask).
pub(crate) const MAX_LANES: usize = 64;

/// Sweeps between two computations of the error bound.
const CHECK_EVERY: usize = 4;

/// Below this bound, sweeps also stop once the bound no longer shrinks: what is left is
/// rounding (each row's probabilities sum to 1 only up to a few ulps).
const ROUNDING_FLOOR: f64 = 1e-10;

/// A sparse absorbing chain, with its components in solve order.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    n: usize,
    row_ptr: Vec<usize>,
    col: Vec<u32>,
    prob: Vec<f64>,
    conv: Vec<f64>,
    null: Vec<f64>,
    reward: Vec<f64>,
    /// Expected visits per journey (see the module doc).
    visits: Vec<f64>,
    /// States, components contiguous, successors before predecessors.
    order: Vec<u32>,
    /// Component boundaries in `order` (`len = components + 1`).
    comp_ptr: Vec<usize>,
    /// Whether a component has a cycle (more than one state, or a self-loop).
    cyclic: Vec<bool>,
}

/// Absorption from the start state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Absorption {
    /// Probability of conversion.
    pub conversion: f64,
    /// Expected conversion value.
    pub value: f64,
    /// Bound on the error of `conversion` (0 for direct solves, up to rounding).
    pub bound: f64,
    /// Bound on the error of `value`.
    pub value_bound: f64,
    /// Gauss–Seidel sweeps done (0 without large components).
    pub sweeps: usize,
}

/// Scratch space of the dense solves.
#[derive(Debug, Default, Clone)]
struct DenseScratch {
    local: Vec<u32>,
    dense: Vec<f64>,
    rhs: Vec<f64>,
    members: Vec<u32>,
}

/// Values of `lanes` variants of the chain side by side: per state, the conversion
/// probabilities of all lanes, then their expected values.
struct Lanes {
    lanes: usize,
    v: Vec<f64>,
    acc: Vec<f64>,
}

impl Lanes {
    fn new(n: usize, lanes: usize) -> Self {
        Self {
            lanes,
            v: vec![0.0; n * 2 * lanes],
            acc: vec![0.0; 2 * lanes],
        }
    }

    #[inline]
    fn state(&self, s: usize) -> &[f64] {
        let w = 2 * self.lanes;
        &self.v[s * w..s * w + w]
    }

    /// Fixes the lanes in `mask` of state `s` as removed (absorbed into null).
    #[inline]
    fn remove(&mut self, s: usize, mask: u64) {
        let l = self.lanes;
        let dst = &mut self.v[s * 2 * l..(s + 1) * 2 * l];
        let mut m = mask;
        while m != 0 {
            let lane = m.trailing_zeros() as usize;
            m &= m - 1;
            dst[lane] = 0.0;
            dst[l + lane] = 0.0;
        }
    }
}

impl Chain {
    /// Builds a chain from CSR rows of transition probabilities, per-state absorption and the
    /// expected visits per journey (see the module doc). States without any outflow become
    /// null-absorbing.
    pub(crate) fn new(
        row_ptr: Vec<usize>,
        col: Vec<u32>,
        prob: Vec<f64>,
        conv: Vec<f64>,
        mut null: Vec<f64>,
        reward: Vec<f64>,
        visits: Vec<f64>,
    ) -> Self {
        let n = conv.len();
        debug_assert_eq!(row_ptr.len(), n + 1);
        debug_assert_eq!(visits.len(), n);
        for s in 0..n {
            if row_ptr[s] == row_ptr[s + 1] && conv[s] == 0.0 && null[s] == 0.0 {
                null[s] = 1.0;
            }
        }
        let mut chain = Self {
            n,
            row_ptr,
            col,
            prob,
            conv,
            null,
            reward,
            visits,
            order: Vec::new(),
            comp_ptr: Vec::new(),
            cyclic: Vec::new(),
        };
        chain.components();
        chain
    }

    /// Number of transient states.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The outgoing transitions of a state.
    pub(crate) fn row(&self, s: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.row_ptr[s]..self.row_ptr[s + 1];
        self.col[r.clone()]
            .iter()
            .map(|&t| t as usize)
            .zip(self.prob[r].iter().copied())
    }

    /// Conversion and null probabilities of a state.
    pub(crate) fn absorption(&self, s: usize) -> (f64, f64) {
        (self.conv[s], self.null[s])
    }

    /// Size of the largest component.
    pub(crate) fn largest_component(&self) -> usize {
        self.comp_ptr
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0)
    }

    /// Tarjan's algorithm without recursion; components are emitted successors first.
    fn components(&mut self) {
        const NONE: u32 = u32::MAX;
        let n = self.n;
        let mut index = vec![NONE; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut calls: Vec<(u32, usize)> = Vec::new();
        let mut next = 0u32;
        self.order.reserve(n);
        self.comp_ptr.push(0);
        for root in 0..n {
            if index[root] != NONE {
                continue;
            }
            let root = root as u32;
            index[root as usize] = next;
            low[root as usize] = next;
            next += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            calls.push((root, self.row_ptr[root as usize]));
            while let Some(&mut (v, ref mut edge)) = calls.last_mut() {
                let vi = v as usize;
                if *edge < self.row_ptr[vi + 1] {
                    let w = self.col[*edge];
                    *edge += 1;
                    let wi = w as usize;
                    if index[wi] == NONE {
                        index[wi] = next;
                        low[wi] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[wi] = true;
                        calls.push((w, self.row_ptr[wi]));
                    } else if on_stack[wi] {
                        low[vi] = low[vi].min(index[wi]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    let pi = parent as usize;
                    low[pi] = low[pi].min(low[vi]);
                }
                if low[vi] == index[vi] {
                    let start = self.order.len();
                    loop {
                        let w = stack.pop().expect("component root is on the stack");
                        on_stack[w as usize] = false;
                        self.order.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let size = self.order.len() - start;
                    let self_loop = size == 1 && self.row(vi).any(|(t, _)| t == vi);
                    self.comp_ptr.push(self.order.len());
                    self.cyclic.push(size > 1 || self_loop);
                }
            }
        }
    }

    /// Exact absorption from the start for `lanes` variants of the chain: in lane `j` the
    /// states whose `removed(s)` has bit `j` set are absorbing into null. `tolerance` bounds
    /// the error of the iterative part (see the module doc).
    pub(crate) fn solve(
        &self,
        lanes: usize,
        removed: &dyn Fn(usize) -> u64,
        tolerance: f64,
        max_sweeps: usize,
    ) -> Result<Vec<Absorption>, AttributionError> {
        assert!((1..=MAX_LANES).contains(&lanes));
        let mut vals = Lanes::new(self.n, lanes);
        let mut dense = DenseScratch::default();
        let mut sweeps_done = 0;
        let mut members: Vec<(u32, u64)> = Vec::new();
        let all = if lanes == MAX_LANES {
            u64::MAX
        } else {
            (1u64 << lanes) - 1
        };
        let mut bound = vec![0.0; 2 * lanes];
        let mut err = vec![0.0; 2 * lanes];
        for c in 0..self.cyclic.len() {
            let comp = &self.order[self.comp_ptr[c]..self.comp_ptr[c + 1]];
            if !self.cyclic[c] {
                let s = comp[0] as usize;
                self.relax(s, &mut vals);
                vals.remove(s, removed(s));
                continue;
            }
            members.clear();
            members.extend(comp.iter().map(|&s| (s, removed(s as usize))));
            if comp.len() <= DENSE_MAX {
                for lane in 0..lanes {
                    self.dense_block(&members, lane, &mut vals, &mut dense);
                }
                continue;
            }
            for &(s, mask) in &members {
                vals.remove(s as usize, mask);
            }
            // Members removed in every lane keep their fixed values; the others are swept in
            // the order of their numbers, which keeps memory access local.
            members.retain(|&(_, mask)| mask & all != all);
            members.sort_unstable_by_key(|m| m.0);
            let mut sweeps = 0;
            let mut last_worst = f64::INFINITY;
            loop {
                for &(s, mask) in &members {
                    self.relax(s as usize, &mut vals);
                    vals.remove(s as usize, mask);
                }
                sweeps += 1;
                if sweeps % CHECK_EVERY != 0 && sweeps < max_sweeps {
                    continue;
                }
                self.residual_bound(&members, &mut vals, &mut err);
                let worst = err[..lanes].iter().copied().fold(0.0, f64::max);
                if worst <= tolerance || (worst < ROUNDING_FLOOR && worst > 0.9 * last_worst) {
                    break;
                }
                if sweeps >= max_sweeps {
                    return Err(AttributionError::NotConverged {
                        bound: worst,
                        sweeps,
                    });
                }
                last_worst = worst;
            }
            for (b, e) in bound.iter_mut().zip(&err) {
                *b += e;
            }
            sweeps_done += sweeps;
        }
        let start = vals.state(0);
        Ok((0..lanes)
            .map(|j| Absorption {
                conversion: start[j],
                value: start[lanes + j],
                bound: bound[j],
                value_bound: bound[lanes + j],
                sweeps: sweeps_done,
            })
            .collect())
    }

    /// `Σ visits(s) |residual(s)|` over `members`, per lane, for conversions then values.
    fn residual_bound(&self, members: &[(u32, u64)], vals: &mut Lanes, err: &mut [f64]) {
        err.fill(0.0);
        let l = vals.lanes;
        for &(s, mask) in members {
            let s = s as usize;
            self.gather(s, vals);
            let pi = self.visits[s];
            let now = vals.state(s);
            for (j, e) in err.iter_mut().enumerate() {
                if mask & (1u64 << (j % l)) == 0 {
                    *e += pi * (vals.acc[j] - now[j]).abs();
                }
            }
        }
    }

    /// `conv + Q x` (and `reward + Q y`) at state `s`, all lanes, into `vals.acc`.
    #[inline]
    fn gather(&self, s: usize, vals: &mut Lanes) {
        let l = vals.lanes;
        let w = 2 * l;
        let acc = &mut vals.acc;
        acc[..l].fill(self.conv[s]);
        acc[l..].fill(self.reward[s]);
        for e in self.row_ptr[s]..self.row_ptr[s + 1] {
            let p = self.prob[e];
            let t = self.col[e] as usize;
            for (a, x) in acc.iter_mut().zip(&vals.v[t * w..t * w + w]) {
                *a += p * x;
            }
        }
    }

    /// One Gauss–Seidel update of state `s`, all lanes (removed lanes are fixed by the caller).
    #[inline]
    fn relax(&self, s: usize, vals: &mut Lanes) {
        self.gather(s, vals);
        let w = 2 * vals.lanes;
        vals.v[s * w..s * w + w].copy_from_slice(&vals.acc);
    }

    /// Solves one lane of a small component by dense LU; states outside it are final.
    fn dense_block(
        &self,
        members: &[(u32, u64)],
        lane: usize,
        vals: &mut Lanes,
        ws: &mut DenseScratch,
    ) {
        const OUT: u32 = u32::MAX;
        let l = vals.lanes;
        ws.members.clear();
        for &(s, mask) in members {
            if mask & (1u64 << lane) == 0 {
                ws.members.push(s);
            } else {
                vals.remove(s as usize, 1u64 << lane);
            }
        }
        let m = ws.members.len();
        if m == 0 {
            return;
        }
        if ws.local.len() < self.n {
            ws.local.resize(self.n, OUT);
        }
        for (i, &s) in ws.members.iter().enumerate() {
            ws.local[s as usize] = i as u32;
        }
        ws.dense.clear();
        ws.dense.resize(m * m, 0.0);
        ws.rhs.clear();
        ws.rhs.resize(m * 2, 0.0);
        for (i, &s) in ws.members.iter().enumerate() {
            let s = s as usize;
            ws.dense[i * m + i] += 1.0;
            let (mut x, mut y) = (self.conv[s], self.reward[s]);
            for (t, p) in self.row(s) {
                match ws.local[t] {
                    OUT => {
                        let v = vals.state(t);
                        x += p * v[lane];
                        y += p * v[l + lane];
                    }
                    j => ws.dense[i * m + j as usize] -= p,
                }
            }
            ws.rhs[i * 2] = x;
            ws.rhs[i * 2 + 1] = y;
        }
        lu_solve(&mut ws.dense, m, &mut ws.rhs, 2);
        let w = 2 * l;
        for (i, &s) in ws.members.iter().enumerate() {
            let s = s as usize;
            let v = &mut vals.v[s * w..s * w + w];
            v[lane] = ws.rhs[i * 2];
            v[l + lane] = ws.rhs[i * 2 + 1];
            ws.local[s] = OUT;
        }
    }

    /// Absorption from the start within `steps` transitions (a journey not absorbed by then
    /// counts as not converting), for `lanes` variants as in [`Chain::solve`]. The recursion
    /// is Jacobi's, so the cut-off is exact.
    pub(crate) fn solve_horizon(
        &self,
        lanes: usize,
        removed: &dyn Fn(usize) -> u64,
        steps: usize,
    ) -> Vec<Absorption> {
        assert!((1..=MAX_LANES).contains(&lanes));
        let masks: Vec<u64> = (0..self.n).map(removed).collect();
        let mut old = Lanes::new(self.n, lanes);
        let mut new = Lanes::new(self.n, lanes);
        let w = 2 * lanes;
        for _ in 0..steps {
            // Values within k + 1 steps, in `new`, from those within k, in `old`.
            for (s, &mask) in masks.iter().enumerate() {
                old.acc.clear();
                old.acc.resize(w, 0.0);
                self.gather(s, &mut old);
                new.v[s * w..s * w + w].copy_from_slice(&old.acc);
                new.remove(s, mask);
            }
            std::mem::swap(&mut old, &mut new);
        }
        let start = old.state(0);
        (0..lanes)
            .map(|j| Absorption {
                conversion: start[j],
                value: start[lanes + j],
                bound: 0.0,
                value_bound: 0.0,
                sweeps: steps,
            })
            .collect()
    }
}

/// Solves `A X = B` in place for a dense row-major `m x m` matrix `a` and `k` right-hand sides
/// stored row-major in `b` (`m x k`), by LU with partial pivoting. `a` is overwritten.
pub(crate) fn lu_solve(a: &mut [f64], m: usize, b: &mut [f64], k: usize) {
    for col in 0..m {
        let mut p = col;
        let mut best = a[col * m + col].abs();
        for r in col + 1..m {
            let v = a[r * m + col].abs();
            if v > best {
                best = v;
                p = r;
            }
        }
        if p != col {
            for j in 0..m {
                a.swap(col * m + j, p * m + j);
            }
            for j in 0..k {
                b.swap(col * k + j, p * k + j);
            }
        }
        let d = a[col * m + col];
        if d == 0.0 {
            continue;
        }
        for r in col + 1..m {
            let f = a[r * m + col] / d;
            if f == 0.0 {
                continue;
            }
            a[r * m + col] = 0.0;
            let (top, bottom) = a.split_at_mut(r * m);
            let pivot_row = &top[col * m..col * m + m];
            for (x, p) in bottom[col + 1..m].iter_mut().zip(&pivot_row[col + 1..]) {
                *x -= f * p;
            }
            for j in 0..k {
                b[r * k + j] -= f * b[col * k + j];
            }
        }
    }
    for r in (0..m).rev() {
        for j in 0..k {
            let mut s = b[r * k + j];
            for c in r + 1..m {
                s -= a[r * m + c] * b[c * k + j];
            }
            let d = a[r * m + r];
            b[r * k + j] = if d == 0.0 { 0.0 } else { s / d };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// start -> a; a -> b (1/2), conv (1/4), null (1/4); b -> a (1/2), null (1/2).
    /// p_a = 1/4 + p_b/2, p_b = p_a/2  =>  p_a = 1/3; p_start = 1/3.
    /// Visits: pi_a = 1 + pi_b / 2, pi_b = pi_a / 2  =>  pi_a = 4/3, pi_b = 2/3.
    fn small() -> Chain {
        Chain::new(
            vec![0, 1, 2, 3],
            vec![1, 2, 1],
            vec![1.0, 0.5, 0.5],
            vec![0.0, 0.25, 0.0],
            vec![0.0, 0.25, 0.5],
            vec![0.0, 2.5, 0.0],
            vec![1.0, 4.0 / 3.0, 2.0 / 3.0],
        )
    }

    #[test]
    fn dense_and_components() {
        let c = small();
        assert_eq!(c.largest_component(), 2);
        // Lane 0: the whole chain; lane 1: b removed (p_a = 1/4).
        let r = c
            .solve(2, &|s| if s == 2 { 0b10 } else { 0 }, 1e-15, 100)
            .unwrap();
        assert!((r[0].conversion - 1.0 / 3.0).abs() < 1e-15);
        assert!((r[0].value - 10.0 / 3.0).abs() < 1e-14);
        assert!((r[1].conversion - 0.25).abs() < 1e-15);
    }

    #[test]
    fn horizon_truncates() {
        let c = small();
        let p = |steps| c.solve_horizon(1, &|_| 0, steps)[0].conversion;
        // Within 2 transitions: start -> a -> conv only.
        assert_eq!(p(2), 0.25);
        // Within 4: also start -> a -> b -> a -> conv (1/2 * 1/2 * 1/4).
        assert!((p(4) - (0.25 + 0.0625)).abs() < 1e-15);
        assert!((p(200) - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn lu_matches_known_solution() {
        let mut a = vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
        let x = [1.0, -2.0, 3.0];
        let mut b: Vec<f64> = (0..3)
            .map(|r| (0..3).map(|c| a[r * 3 + c] * x[c]).sum())
            .collect();
        lu_solve(&mut a, 3, &mut b, 1);
        for (got, want) in b.iter().zip(x) {
            assert!((got - want).abs() < 1e-14);
        }
    }
}

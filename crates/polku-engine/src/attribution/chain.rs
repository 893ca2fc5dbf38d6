//! Absorbing Markov chains: exact absorption probabilities and expected rewards from the start
//! state, with any set of states made absorbing ("removed").
//!
//! Transient states are `0..n`, state 0 is the start. From state `s` the chain moves to `t` with
//! probability `P(s, t)`, is absorbed into "conversion" with `conv[s]` (collecting `reward[s]`
//! in expectation) or into "null" with `null[s]`. We need, from the start, the probability of
//! conversion `p = (I - Q)^-1 conv` and the expected value `w = (I - Q)^-1 reward`.
//!
//! The state graph is split into strongly connected components (Tarjan), which come out
//! successors first, so the system is block triangular and is solved one component at a time:
//!
//! * a component of one state without a self-loop is a single exact substitution;
//! * a component of at most [`DENSE_MAX`] states is solved by dense LU with partial pivoting;
//! * a larger one by Gauss–Seidel sweeps that carry, next to `x ≈ p` and `y ≈ w`, the absorption
//!   probability `u ≈ 1`. Starting from zero, every iterate is a monotone lower bound: `x`, `y`
//!   and `u` only grow, and `z = u - x` (the null-absorption iterate) does too, so
//!   `p - x = (1 - q) - x <= 1 - z - x = 1 - u`, where `q = 1 - p` is the exact null
//!   probability. `1 - u` is thus a computable bound on the error of `x` (and `(1 - u)` times the
//!   largest reward rate bounds the error of `y`); sweeps stop when it is below the tolerance
//!   or stops moving in floating point.
//!
//! Every state absorbs with probability 1 because each lies on an observed path that ends in
//! conversion or null (states without any outflow are made null-absorbing), so `I - Q` is
//! non-singular and the sweeps converge.

use super::AttributionError;

/// Components up to this size are solved by dense LU.
pub(crate) const DENSE_MAX: usize = 192;

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
    /// States, components contiguous, successors before predecessors.
    order: Vec<u32>,
    /// Component boundaries in `order` (`len = components + 1`).
    comp_ptr: Vec<usize>,
    /// Whether a component has a cycle (more than one state, or a self-loop).
    cyclic: Vec<bool>,
    /// The largest reward per unit of conversion probability (for the value bound).
    max_rate: f64,
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
    /// Gauss–Seidel sweeps done (0 without large components).
    pub sweeps: usize,
}

/// Scratch vectors, reused between solves.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    x: Vec<f64>,
    y: Vec<f64>,
    u: Vec<f64>,
    local: Vec<u32>,
    dense: Vec<f64>,
    rhs: Vec<f64>,
    members: Vec<u32>,
}

impl Chain {
    /// Builds a chain from CSR rows of transition probabilities and per-state absorption.
    /// States without any outflow become null-absorbing.
    pub(crate) fn new(
        row_ptr: Vec<usize>,
        col: Vec<u32>,
        prob: Vec<f64>,
        conv: Vec<f64>,
        mut null: Vec<f64>,
        reward: Vec<f64>,
    ) -> Self {
        let n = conv.len();
        debug_assert_eq!(row_ptr.len(), n + 1);
        for s in 0..n {
            if row_ptr[s] == row_ptr[s + 1] && conv[s] == 0.0 && null[s] == 0.0 {
                null[s] = 1.0;
            }
        }
        let max_rate = (0..n)
            .filter(|&s| conv[s] > 0.0)
            .map(|s| reward[s] / conv[s])
            .fold(0.0, f64::max);
        let mut chain = Self {
            n,
            row_ptr,
            col,
            prob,
            conv,
            null,
            reward,
            order: Vec::new(),
            comp_ptr: Vec::new(),
            cyclic: Vec::new(),
            max_rate,
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

    /// Exact absorption from the start, with the states where `removed` is true absorbing
    /// into null. `tolerance` bounds the error of the iterative part (see the module doc).
    pub(crate) fn solve(
        &self,
        removed: &dyn Fn(usize) -> bool,
        tolerance: f64,
        max_sweeps: usize,
        ws: &mut Workspace,
    ) -> Result<Absorption, AttributionError> {
        let n = self.n;
        ws.x.clear();
        ws.x.resize(n, 0.0);
        ws.y.clear();
        ws.y.resize(n, 0.0);
        ws.u.clear();
        ws.u.resize(n, 0.0);
        let mut sweeps_done = 0;
        for c in 0..self.cyclic.len() {
            let members = &self.order[self.comp_ptr[c]..self.comp_ptr[c + 1]];
            if !self.cyclic[c] {
                let s = members[0] as usize;
                if removed(s) {
                    ws.u[s] = 1.0;
                } else {
                    self.relax(s, ws);
                }
                continue;
            }
            ws.members.clear();
            for &s in members {
                if removed(s as usize) {
                    ws.u[s as usize] = 1.0;
                } else {
                    ws.members.push(s);
                }
            }
            if ws.members.is_empty() {
                continue;
            }
            if ws.members.len() <= DENSE_MAX {
                self.dense_block(ws);
            } else {
                let members = std::mem::take(&mut ws.members);
                let mut sweeps = 0;
                loop {
                    sweeps += 1;
                    let mut worst = 0.0f64;
                    let mut moved = false;
                    for &s in &members {
                        let before = ws.u[s as usize];
                        self.relax(s as usize, ws);
                        let after = ws.u[s as usize];
                        moved |= after != before;
                        worst = worst.max(1.0 - after);
                    }
                    if worst <= tolerance || !moved {
                        break;
                    }
                    if sweeps >= max_sweeps {
                        return Err(AttributionError::NotConverged {
                            bound: worst,
                            sweeps,
                        });
                    }
                }
                sweeps_done += sweeps;
                ws.members = members;
            }
        }
        Ok(Absorption {
            conversion: ws.x[0],
            value: ws.y[0],
            bound: (1.0 - ws.u[0]).max(0.0),
            sweeps: sweeps_done,
        })
    }

    /// One Gauss–Seidel update of state `s` from the current values of its successors.
    #[inline]
    fn relax(&self, s: usize, ws: &mut Workspace) {
        let mut x = self.conv[s];
        let mut y = self.reward[s];
        let mut u = self.conv[s] + self.null[s];
        for e in self.row_ptr[s]..self.row_ptr[s + 1] {
            let t = self.col[e] as usize;
            let p = self.prob[e];
            x += p * ws.x[t];
            y += p * ws.y[t];
            u += p * ws.u[t];
        }
        ws.x[s] = x;
        ws.y[s] = y;
        ws.u[s] = u;
    }

    /// Solves the component in `ws.members` by dense LU; states outside it are already final.
    fn dense_block(&self, ws: &mut Workspace) {
        const OUT: u32 = u32::MAX;
        let m = ws.members.len();
        if ws.local.len() < self.n {
            ws.local.resize(self.n, OUT);
        }
        for (i, &s) in ws.members.iter().enumerate() {
            ws.local[s as usize] = i as u32;
        }
        ws.dense.clear();
        ws.dense.resize(m * m, 0.0);
        ws.rhs.clear();
        ws.rhs.resize(m * 3, 0.0);
        for (i, &s) in ws.members.iter().enumerate() {
            let s = s as usize;
            ws.dense[i * m + i] += 1.0;
            let (mut x, mut y, mut u) = (self.conv[s], self.reward[s], self.conv[s] + self.null[s]);
            for (t, p) in self.row(s) {
                match ws.local[t] {
                    OUT => {
                        x += p * ws.x[t];
                        y += p * ws.y[t];
                        u += p * ws.u[t];
                    }
                    j => ws.dense[i * m + j as usize] -= p,
                }
            }
            ws.rhs[i * 3] = x;
            ws.rhs[i * 3 + 1] = y;
            ws.rhs[i * 3 + 2] = u;
        }
        lu_solve(&mut ws.dense, m, &mut ws.rhs, 3);
        for (i, &s) in ws.members.iter().enumerate() {
            let s = s as usize;
            ws.x[s] = ws.rhs[i * 3];
            ws.y[s] = ws.rhs[i * 3 + 1];
            ws.u[s] = ws.rhs[i * 3 + 2];
            ws.local[s] = OUT;
        }
    }

    /// Absorption from the start within `steps` transitions (a journey that has not been
    /// absorbed by then counts as not converting), with `removed` states absorbing into null.
    pub(crate) fn solve_horizon(
        &self,
        removed: &dyn Fn(usize) -> bool,
        steps: usize,
        ws: &mut Workspace,
    ) -> Absorption {
        let n = self.n;
        // x, y: values within k steps; u, rhs: the next iterate (Jacobi, so truncation is exact).
        ws.x.clear();
        ws.x.resize(n, 0.0);
        ws.y.clear();
        ws.y.resize(n, 0.0);
        ws.u.clear();
        ws.u.resize(n, 0.0);
        ws.rhs.clear();
        ws.rhs.resize(n, 0.0);
        let live: Vec<bool> = (0..n).map(|s| !removed(s)).collect();
        for _ in 0..steps {
            for (s, _) in live.iter().enumerate().filter(|(_, live)| **live) {
                let mut x = self.conv[s];
                let mut y = self.reward[s];
                for (t, p) in self.row(s) {
                    x += p * ws.x[t];
                    y += p * ws.y[t];
                }
                ws.u[s] = x;
                ws.rhs[s] = y;
            }
            std::mem::swap(&mut ws.x, &mut ws.u);
            std::mem::swap(&mut ws.y, &mut ws.rhs);
        }
        Absorption {
            conversion: ws.x[0],
            value: ws.y[0],
            bound: 0.0,
            sweeps: steps,
        }
    }

    /// Bound on the error of an expected value, given the bound on the conversion probability.
    pub(crate) fn value_bound(&self, bound: f64) -> f64 {
        bound * self.max_rate
    }
}

/// Solves `A X = B` in place for a dense row-major `m x m` matrix `a` and `k` right-hand sides
/// stored row-major in `b` (`m x k`), by LU with partial pivoting. `a` is overwritten.
pub(crate) fn lu_solve(a: &mut [f64], m: usize, b: &mut [f64], k: usize) {
    for col in 0..m {
        // Pivot.
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
            let row = &mut bottom[..m];
            for j in col + 1..m {
                row[j] -= f * pivot_row[j];
            }
            for j in 0..k {
                b[r * k + j] -= f * b[col * k + j];
            }
        }
    }
    // Back substitution.
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
    fn small() -> Chain {
        Chain::new(
            vec![0, 1, 2, 3],
            vec![1, 2, 1],
            vec![1.0, 0.5, 0.5],
            vec![0.0, 0.25, 0.0],
            vec![0.0, 0.25, 0.5],
            vec![0.0, 2.5, 0.0],
        )
    }

    #[test]
    fn dense_and_components() {
        let c = small();
        assert_eq!(c.largest_component(), 2);
        let mut ws = Workspace::default();
        let a = c.solve(&|_| false, 1e-15, 100, &mut ws).unwrap();
        assert!((a.conversion - 1.0 / 3.0).abs() < 1e-15);
        assert!((a.value - 10.0 / 3.0).abs() < 1e-14);
        // Removing b: p_a = 1/4.
        let a = c.solve(&|s| s == 2, 1e-15, 100, &mut ws).unwrap();
        assert!((a.conversion - 0.25).abs() < 1e-15);
    }

    #[test]
    fn horizon_truncates() {
        let c = small();
        let mut ws = Workspace::default();
        // Within 2 transitions: start -> a -> conv only.
        assert_eq!(c.solve_horizon(&|_| false, 2, &mut ws).conversion, 0.25);
        // Within 4: also start -> a -> b -> a -> conv (1/2 * 1/2 * 1/4).
        assert!(
            (c.solve_horizon(&|_| false, 4, &mut ws).conversion - (0.25 + 0.0625)).abs() < 1e-15
        );
        let long = c.solve_horizon(&|_| false, 200, &mut ws).conversion;
        assert!((long - 1.0 / 3.0).abs() < 1e-15);
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

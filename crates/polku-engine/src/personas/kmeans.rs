//! Seeded k-means++ and the silhouette, in plain Rust over a small dense matrix.
//!
//! The matrix holds one row per customer (already aggregated by the query engine), so it is
//! as large as the customer base, never as the event table. Everything is deterministic for
//! a seed: the seeding draws come from ChaCha8, ties go to the lower cluster index, and the
//! best of several restarts (lowest within-cluster sum of squares) is kept.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

/// A clustering: the cluster of each row and the cluster centres.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// The cluster of each row, `0..k`.
    pub labels: Vec<usize>,
    /// The centre of each cluster.
    pub centres: Vec<Vec<f64>>,
    /// The within-cluster sum of squared distances.
    pub inertia: f64,
}

impl Clustering {
    /// The number of rows in each cluster.
    #[must_use]
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.centres.len()];
        for &l in &self.labels {
            sizes[l] += 1;
        }
        sizes
    }
}

fn distance2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A uniform draw in `[0, 1)`.
#[allow(clippy::cast_precision_loss)]
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The nearest centre of a point (the lower index on ties) and its squared distance.
fn nearest(point: &[f64], centres: &[Vec<f64>]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, c) in centres.iter().enumerate() {
        let d = distance2(point, c);
        if d < best.1 {
            best = (i, d);
        }
    }
    best
}

/// k-means++ seeding: the first centre uniformly, each next one with probability
/// proportional to the squared distance to the nearest centre so far.
fn seed_centres(rows: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    let n = rows.len();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let first = ((unit(rng) * n as f64) as usize).min(n - 1);
    let mut centres = vec![rows[first].clone()];
    let mut d2: Vec<f64> = rows.iter().map(|r| distance2(r, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = d2.iter().sum();
        let pick = if total > 0.0 {
            let target = unit(rng) * total;
            let mut acc = 0.0;
            let mut chosen = n - 1;
            for (i, d) in d2.iter().enumerate() {
                acc += d;
                if acc > target {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            // Every point sits on a centre: take the next row, so centres stay distinct rows.
            centres.len() % n
        };
        centres.push(rows[pick].clone());
        for (i, r) in rows.iter().enumerate() {
            d2[i] = d2[i].min(distance2(r, &centres[centres.len() - 1]));
        }
    }
    centres
}

/// One run of Lloyd's algorithm from seeded centres.
fn lloyd(rows: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng, max_iter: usize) -> Clustering {
    let dims = rows[0].len();
    let mut centres = seed_centres(rows, k, rng);
    let mut labels = vec![usize::MAX; rows.len()];
    for _ in 0..max_iter {
        let mut changed = false;
        for (i, r) in rows.iter().enumerate() {
            let (c, _) = nearest(r, &centres);
            if labels[i] != c {
                labels[i] = c;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        let mut sums = vec![vec![0.0; dims]; k];
        let mut counts = vec![0usize; k];
        for (r, &l) in rows.iter().zip(&labels) {
            counts[l] += 1;
            for (s, x) in sums[l].iter_mut().zip(r) {
                *s += x;
            }
        }
        for (c, (sum, n)) in sums.into_iter().zip(&counts).enumerate() {
            if *n > 0 {
                #[allow(clippy::cast_precision_loss)]
                let n = *n as f64;
                centres[c] = sum.into_iter().map(|s| s / n).collect();
            } else {
                // An empty cluster takes the point farthest from its centre.
                let far = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i, distance2(r, &centres[labels[i]])))
                    .fold((0, -1.0), |a, b| if b.1 > a.1 { b } else { a })
                    .0;
                centres[c] = rows[far].clone();
                labels[far] = c;
            }
        }
    }
    let inertia = rows
        .iter()
        .zip(&labels)
        .map(|(r, &l)| distance2(r, &centres[l]))
        .sum();
    Clustering {
        labels,
        centres,
        inertia,
    }
}

/// Clusters `rows` (all of one length) into `k` groups with k-means++, keeping the best of
/// `restarts` runs; `k` is capped at the number of rows.
///
/// # Panics
/// Never for any input; an empty input gives an empty clustering.
#[must_use]
pub fn kmeans(rows: &[Vec<f64>], k: usize, seed: u64, restarts: usize) -> Clustering {
    let k = k.clamp(1, rows.len().max(1));
    if rows.is_empty() {
        return Clustering {
            labels: Vec::new(),
            centres: Vec::new(),
            inertia: 0.0,
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<Clustering> = None;
    for _ in 0..restarts.max(1) {
        let run = lloyd(rows, k, &mut rng, 300);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.unwrap_or_else(|| unreachable!("at least one run"))
}

/// The mean silhouette of a clustering over the given rows (by index): for each row, `(b −
/// a) / max(a, b)` with `a` the mean distance to its own cluster and `b` to the nearest other
/// one; a row alone in its cluster scores 0. `None` with fewer than two clusters.
#[must_use]
pub fn silhouette(rows: &[Vec<f64>], labels: &[usize], k: usize, sample: &[usize]) -> Option<f64> {
    if k < 2 || sample.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for &i in sample {
        let mut sum = vec![0.0; k];
        let mut n = vec![0usize; k];
        for &j in sample {
            if i != j {
                sum[labels[j]] += distance2(&rows[i], &rows[j]).sqrt();
                n[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if n[own] == 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let a = sum[own] / n[own] as f64;
        #[allow(clippy::cast_precision_loss)]
        let b = (0..k)
            .filter(|&c| c != own && n[c] > 0)
            .map(|c| sum[c] / n[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    Some(total / sample.len() as f64)
}

/// A deterministic sample of at most `max` row indices, spread evenly over the rows.
#[must_use]
pub fn even_sample(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    (0..max).map(|i| i * n / max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn blobs() -> Vec<Vec<f64>> {
        let mut rows = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for i in 0..20 {
                let d = f64::from(i % 5) * 0.1;
                rows.push(vec![cx + d, cy - d]);
            }
        }
        rows
    }

    #[test]
    fn three_blobs_make_three_clusters() {
        let rows = blobs();
        let c = kmeans(&rows, 3, 1, 4);
        assert_eq!(c.sizes(), [20, 20, 20]);
        for block in c.labels.chunks(20) {
            assert!(block.iter().all(|&l| l == block[0]), "{block:?}");
        }
        let s3 = silhouette(&rows, &c.labels, 3, &even_sample(rows.len(), 100)).unwrap();
        let c2 = kmeans(&rows, 2, 1, 4);
        let s2 = silhouette(&rows, &c2.labels, 2, &even_sample(rows.len(), 100)).unwrap();
        assert!(s3 > 0.9 && s3 > s2, "{s3} {s2}");
    }

    #[test]
    fn hand_worked_silhouette() {
        // Clusters {0, 1} and {10}: for 0, a = 1, b = 10 → 0.9; for 1, a = 1, b = 9 → 8/9;
        // the lone 10 scores 0.
        let rows = vec![vec![0.0], vec![1.0], vec![10.0]];
        let s = silhouette(&rows, &[0, 0, 1], 2, &[0, 1, 2]).unwrap();
        assert!((s - (0.9 + 8.0 / 9.0) / 3.0).abs() < 1e-12, "{s}");
    }

    proptest! {
        #[test]
        fn sizes_sum_to_rows_and_a_seed_repeats(
            rows in prop::collection::vec(prop::collection::vec(-5.0f64..5.0, 3), 1..60),
            k in 1usize..6,
            seed in any::<u64>(),
        ) {
            let a = kmeans(&rows, k, seed, 2);
            prop_assert_eq!(a.sizes().iter().sum::<usize>(), rows.len());
            prop_assert!(a.labels.iter().all(|&l| l < a.centres.len()));
            prop_assert_eq!(a.centres.len(), k.min(rows.len()));
            let b = kmeans(&rows, k, seed, 2);
            prop_assert_eq!(a, b);
        }
    }
}

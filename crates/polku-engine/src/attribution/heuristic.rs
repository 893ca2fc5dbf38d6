//! Rule-based models: each path's conversions and value are split over its touches by a fixed
//! rule, and the shares are added up per channel.
//!
//! First, last and linear touch follow ChannelAttribution's `heuristic_models`: they work on the
//! raw touches, so a channel touched twice on a path of four gets half of it under linear.
//! Time decay needs the time of each touch; a path file has none, so the position is the time
//! (the last touch is at 0, the one before at -1, ...), and the half-life is counted in touches.
//! [`time_decay_weights`] takes real times for journeys that have them.

use super::paths::{ChannelId, PathRef, PathSet};
use super::{AttributionError, Credits};

/// Splits every path by `weights(touches, out)`, which fills `out` with one share per touch
/// (shares sum to 1).
fn spread(paths: &PathSet, mut weights: impl FnMut(&[ChannelId], &mut Vec<f64>)) -> Credits {
    let mut credits = Credits::zero(paths.channel_count());
    let mut w = Vec::new();
    for path in paths.iter() {
        w.clear();
        weights(path.touches, &mut w);
        for (&channel, &share) in path.touches.iter().zip(&w) {
            credits.add(channel, share, &path);
        }
    }
    credits
}

/// Gives one channel of each path everything.
fn pick(paths: &PathSet, mut choose: impl FnMut(&PathRef<'_>) -> ChannelId) -> Credits {
    let mut credits = Credits::zero(paths.channel_count());
    for path in paths.iter() {
        let channel = choose(&path);
        credits.add(channel, 1.0, &path);
    }
    credits
}

/// All credit to the first touch.
#[must_use]
pub fn first_touch(paths: &PathSet) -> Credits {
    pick(paths, |p| p.touches[0])
}

/// All credit to the last touch.
#[must_use]
pub fn last_touch(paths: &PathSet) -> Credits {
    pick(paths, |p| p.touches[p.touches.len() - 1])
}

/// All credit to the last touch that is not `direct`; a path of direct touches only credits
/// direct. With `direct` absent from the set this is last touch.
#[must_use]
pub fn last_non_direct(paths: &PathSet, direct: Option<ChannelId>) -> Credits {
    pick(paths, |p| {
        let last = p.touches[p.touches.len() - 1];
        p.touches
            .iter()
            .rev()
            .copied()
            .find(|&c| Some(c) != direct)
            .unwrap_or(last)
    })
}

/// Equal credit to every touch.
#[must_use]
pub fn linear(paths: &PathSet) -> Credits {
    spread(paths, |touches, w| {
        #[allow(clippy::cast_precision_loss)]
        let share = 1.0 / touches.len() as f64;
        w.resize(touches.len(), share);
    })
}

/// Shares of touches at `times` under time decay: proportional to
/// `2^(-(t_last - t) / half_life)`, where `t_last` is the latest time.
///
/// # Panics
/// If `times` is empty.
#[must_use]
pub fn time_decay_weights(times: &[f64], half_life: f64) -> Vec<f64> {
    let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<f64> = times
        .iter()
        .map(|&t| (-(last - t) / half_life).exp2())
        .collect();
    let sum: f64 = w.iter().sum();
    for x in &mut w {
        *x /= sum;
    }
    w
}

/// Time decay with the touch position as time: the touch `d` places before the last one
/// weighs `2^(-d / half_life)`.
///
/// # Errors
/// [`AttributionError::InvalidParameter`] unless `half_life` is finite and positive.
pub fn time_decay(paths: &PathSet, half_life: f64) -> Result<Credits, AttributionError> {
    if !(half_life.is_finite() && half_life > 0.0) {
        return Err(AttributionError::InvalidParameter {
            name: "half-life",
            reason: format!("must be a positive number, got {half_life}"),
        });
    }
    // Weights for the longest path, reused for all: w[d] for distance d from the last touch.
    let longest = paths.iter().map(|p| p.touches.len()).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let decay: Vec<f64> = (0..longest)
        .map(|d| (-(d as f64) / half_life).exp2())
        .collect();
    Ok(spread(paths, |touches, w| {
        let n = touches.len();
        let sum: f64 = decay[..n].iter().sum();
        w.extend((0..n).map(|i| decay[n - 1 - i] / sum));
    }))
}

/// Position-based shares: `first` to the first touch, `last` to the last, the remainder shared
/// equally by the touches in between.
///
/// On a path of one touch it gets everything; on a path of two, the remainder is split between
/// both (as in Snowplow's fractribution), so 40/40 gives 50/50.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PositionShares {
    /// Share of the first touch.
    pub first: f64,
    /// Share of the last touch.
    pub last: f64,
}

impl Default for PositionShares {
    fn default() -> Self {
        Self {
            first: 0.4,
            last: 0.4,
        }
    }
}

impl PositionShares {
    /// Checks that both shares are in `[0, 1]` and sum to at most 1.
    ///
    /// # Errors
    /// [`AttributionError::InvalidParameter`] otherwise.
    pub fn validate(self) -> Result<Self, AttributionError> {
        let ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if ok(self.first) && ok(self.last) && self.first + self.last <= 1.0 + 1e-12 {
            Ok(self)
        } else {
            Err(AttributionError::InvalidParameter {
                name: "position shares",
                reason: format!(
                    "first {} and last {} must be in [0, 1] and sum to at most 1",
                    self.first, self.last
                ),
            })
        }
    }
}

/// Position-based (U-shaped) model.
///
/// # Errors
/// [`AttributionError::InvalidParameter`] for shares out of range.
pub fn position_based(
    paths: &PathSet,
    shares: PositionShares,
) -> Result<Credits, AttributionError> {
    let PositionShares { first, last } = shares.validate()?;
    let middle = (1.0 - first - last).max(0.0);
    Ok(spread(paths, |touches, w| match touches.len() {
        1 => w.push(1.0),
        2 => {
            w.push(first + middle / 2.0);
            w.push(last + middle / 2.0);
        }
        n => {
            #[allow(clippy::cast_precision_loss)]
            let each = middle / (n - 2) as f64;
            w.push(first);
            w.resize(n - 1, each);
            w.push(last);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::super::PathSetBuilder;
    use super::*;

    fn set() -> PathSet {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b", "a", "c"], 4.0, 1.0, 40.0).unwrap();
        b.add_named(["direct", "b", "direct"], 2.0, 0.0, 10.0)
            .unwrap();
        b.add_named(["direct"], 1.0, 0.0, 5.0).unwrap();
        b.build()
    }

    fn close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn first_last_linear() {
        let s = set();
        // channels: a, b, c, direct
        assert_eq!(first_touch(&s).conversions, [4.0, 0.0, 0.0, 3.0]);
        assert_eq!(last_touch(&s).conversions, [0.0, 0.0, 4.0, 3.0]);
        let lin = linear(&s);
        close(
            &lin.conversions,
            &[2.0, 1.0 + 2.0 / 3.0, 1.0, 4.0 / 3.0 + 1.0],
        );
        close(
            &lin.value,
            &[20.0, 10.0 + 10.0 / 3.0, 10.0, 20.0 / 3.0 + 5.0],
        );
    }

    #[test]
    fn last_non_direct_skips_direct_but_keeps_all_direct_paths() {
        let s = set();
        let direct = s.channel_id("direct");
        assert_eq!(
            last_non_direct(&s, direct).conversions,
            [0.0, 2.0, 4.0, 1.0]
        );
        assert_eq!(
            last_non_direct(&s, None).conversions,
            last_touch(&s).conversions
        );
    }

    #[test]
    fn time_decay_halves_per_half_life() {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b", "c"], 7.0, 0.0, 0.0).unwrap();
        let c = time_decay(&b.build(), 1.0).unwrap();
        // weights 1/4, 1/2, 1 over a sum of 7/4
        assert_eq!(c.conversions, [1.0, 2.0, 4.0]);
        let w = time_decay_weights(&[0.0, 10.0, 20.0], 10.0);
        assert!((w[0] - 1.0 / 7.0).abs() < 1e-15 && (w[2] - 4.0 / 7.0).abs() < 1e-15);
        assert!(time_decay(&set(), 0.0).is_err());
    }

    #[test]
    fn position_based_shares() {
        let s = set();
        let c = position_based(&s, PositionShares::default()).unwrap();
        // a>b>a>c: a .4 + .1, b .1, c .4; direct>b>direct: direct .8, b .2; direct: 1
        let expect = [4.0 * 0.5, 4.0 * 0.1 + 2.0 * 0.2, 4.0 * 0.4, 2.0 * 0.8 + 1.0];
        for (x, e) in c.conversions.iter().zip(expect) {
            assert!((x - e).abs() < 1e-12, "{x} vs {e}");
        }
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b"], 1.0, 0.0, 0.0).unwrap();
        let c = position_based(
            &b.build(),
            PositionShares {
                first: 0.3,
                last: 0.5,
            },
        )
        .unwrap();
        assert!((c.conversions[0] - 0.4).abs() < 1e-15 && (c.conversions[1] - 0.6).abs() < 1e-15);
        assert!(
            position_based(
                &s,
                PositionShares {
                    first: 0.7,
                    last: 0.5
                }
            )
            .is_err()
        );
    }
}

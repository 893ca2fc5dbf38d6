//! Shapley values on channel sets.
//!
//! The game: the channels are the players, and a coalition `S` is worth what the journeys that
//! used only channels of `S` produced, `v(S) = Σ_{T ⊆ S} w(T)`, where `T` runs over the channel
//! sets of the paths (order and repeats ignored) and `w(T)` is either the conversions of the
//! paths with exactly that set ([`ShapleyWorth::Conversions`]) or their conversion rate
//! ([`ShapleyWorth::ConversionRate`]). Such a game is a sum of unanimity games, and the
//! Shapley value of the unanimity game on `T` gives `1/|T|` to each member of `T`, so
//!
//! `φ_j = Σ_{T ∋ j} w(T) / |T|`
//!
//! exactly: the "simplified Shapley value" of Zhao, Mahboobi and Bagheri (2018), computed in one
//! pass over the paths instead of over `2^n` coalitions. [`shapley_values`] computes the value
//! of any small game by enumeration, and [`set_game`] builds the game above, so the two can be
//! compared. With conversions as worth the values sum to the total conversions (efficiency);
//! with rates they are scaled to it.
//!
//! The ordered variant of the same paper ([`ordered`]) keeps the order of first touches: a
//! path with channels `s_1, ..., s_m` (in order of first touch) gives `1/m` of its conversions
//! to `s_i` at position `i`. Per channel the totals equal the simplified value; the split by
//! position shows whether a channel opens, carries or closes journeys.

use super::paths::{ChannelId, FxMap, PathSet};
use super::{AttributionError, Credits};

/// What a set of channels is worth in the Shapley game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShapleyWorth {
    /// Conversions of the paths with exactly that channel set.
    #[default]
    Conversions,
    /// Conversion rate (conversions over journeys) of the paths with exactly that channel set;
    /// needs non-conversion counts. Credits are scaled to the total conversions.
    ConversionRate,
}

impl std::str::FromStr for ShapleyWorth {
    type Err = AttributionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "conversions" | "count" => Ok(Self::Conversions),
            "rate" | "conversion-rate" => Ok(Self::ConversionRate),
            other => Err(AttributionError::InvalidParameter {
                name: "shapley worth",
                reason: format!("`{other}` is neither `conversions` nor `rate`"),
            }),
        }
    }
}

/// Conversions, non-conversions and value of the paths with each channel set.
#[derive(Debug, Clone, Copy, Default)]
struct SetCounts {
    conversions: f64,
    nulls: f64,
    value: f64,
}

/// Channel sets (sorted ids) with their summed counts, in order of first appearance.
fn channel_sets(paths: &PathSet) -> Vec<(Box<[ChannelId]>, SetCounts)> {
    let mut index: FxMap<Box<[ChannelId]>, usize> = FxMap::default();
    let mut sets: Vec<(Box<[ChannelId]>, SetCounts)> = Vec::new();
    let mut key = Vec::new();
    for path in paths.iter() {
        key.clear();
        key.extend_from_slice(path.touches);
        key.sort_unstable();
        key.dedup();
        let i = match index.get(key.as_slice()) {
            Some(&i) => i,
            None => {
                index.insert(key.clone().into_boxed_slice(), sets.len());
                sets.push((key.clone().into_boxed_slice(), SetCounts::default()));
                sets.len() - 1
            }
        };
        let counts = &mut sets[i].1;
        counts.conversions += path.conversions;
        counts.nulls += path.nulls;
        counts.value += path.value;
    }
    sets
}

/// The worth `w(T)` of one channel set, for conversions and for value.
fn set_worth(c: SetCounts, worth: ShapleyWorth) -> (f64, f64) {
    match worth {
        ShapleyWorth::Conversions => (c.conversions, c.value),
        ShapleyWorth::ConversionRate => {
            let journeys = c.conversions + c.nulls;
            if journeys > 0.0 {
                (c.conversions / journeys, c.value / journeys)
            } else {
                (0.0, 0.0)
            }
        }
    }
}

/// The simplified Shapley value (see the module doc), as credits.
///
/// # Errors
/// [`AttributionError::NeedsNulls`] for [`ShapleyWorth::ConversionRate`] on paths without
/// non-conversion counts.
pub fn simplified(paths: &PathSet, worth: ShapleyWorth) -> Result<Credits, AttributionError> {
    if worth == ShapleyWorth::ConversionRate && !paths.has_nulls() {
        return Err(AttributionError::NeedsNulls(
            "shapley (conversion-rate worth)",
        ));
    }
    let mut credits = Credits::zero(paths.channel_count());
    for (set, counts) in channel_sets(paths) {
        let (w, wv) = set_worth(counts, worth);
        #[allow(clippy::cast_precision_loss)]
        let size = set.len() as f64;
        for c in set.iter() {
            credits.conversions[c.index()] += w / size;
            credits.value[c.index()] += wv / size;
        }
    }
    if worth == ShapleyWorth::ConversionRate {
        rescale(&mut credits.conversions, paths.total_conversions());
        rescale(&mut credits.value, paths.total_value());
    }
    Ok(credits)
}

fn rescale(values: &mut [f64], total: f64) {
    let sum: f64 = values.iter().sum();
    for v in values.iter_mut() {
        *v = if sum > 0.0 { *v / sum * total } else { 0.0 };
    }
}

/// The ordered Shapley value: credits plus their split by position of first touch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrderedShapley {
    /// Credits per channel (equal to [`simplified`] with conversions as worth).
    pub credits: Credits,
    /// `conversions[channel][position]`: conversions credited to the channel when it was the
    /// `position`-th distinct channel (0-based) of the path.
    pub conversions_by_position: Vec<Vec<f64>>,
    /// The same for conversion value.
    pub value_by_position: Vec<Vec<f64>>,
}

/// The ordered Shapley value of Zhao et al. (see the module doc).
#[must_use]
pub fn ordered(paths: &PathSet) -> OrderedShapley {
    let n = paths.channel_count();
    let mut credits = Credits::zero(n);
    let mut by_conv = vec![Vec::new(); n];
    let mut by_value = vec![Vec::new(); n];
    let mut seen = vec![false; n];
    let mut firsts: Vec<ChannelId> = Vec::new();
    for path in paths.iter() {
        firsts.clear();
        for &c in path.touches {
            if !seen[c.index()] {
                seen[c.index()] = true;
                firsts.push(c);
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let share = 1.0 / firsts.len() as f64;
        for (pos, &c) in firsts.iter().enumerate() {
            seen[c.index()] = false;
            credits.add(c, share, &path);
            let (bc, bv) = (&mut by_conv[c.index()], &mut by_value[c.index()]);
            if bc.len() <= pos {
                bc.resize(pos + 1, 0.0);
                bv.resize(pos + 1, 0.0);
            }
            bc[pos] += share * path.conversions;
            bv[pos] += share * path.value;
        }
    }
    OrderedShapley {
        credits,
        conversions_by_position: by_conv,
        value_by_position: by_value,
    }
}

/// Largest game [`shapley_values`] and [`set_game`] accept.
pub const MAX_PLAYERS: usize = 24;

/// The game of the module doc as the worth of every coalition: entry `mask` is `v(S)` for the
/// channels whose bits are set (bit `i` is channel `i`); conversions and value.
///
/// # Errors
/// [`AttributionError::InvalidParameter`] for more than [`MAX_PLAYERS`] channels, and as
/// [`simplified`].
pub fn set_game(
    paths: &PathSet,
    worth: ShapleyWorth,
) -> Result<(Vec<f64>, Vec<f64>), AttributionError> {
    let n = paths.channel_count();
    if n > MAX_PLAYERS {
        return Err(AttributionError::InvalidParameter {
            name: "players",
            reason: format!("at most {MAX_PLAYERS} channels can be enumerated, got {n}"),
        });
    }
    if worth == ShapleyWorth::ConversionRate && !paths.has_nulls() {
        return Err(AttributionError::NeedsNulls(
            "shapley (conversion-rate worth)",
        ));
    }
    let mut v = vec![0.0; 1 << n];
    let mut vv = vec![0.0; 1 << n];
    for (set, counts) in channel_sets(paths) {
        let mask = set.iter().fold(0usize, |m, c| m | (1 << c.index()));
        let (w, wv) = set_worth(counts, worth);
        v[mask] += w;
        vv[mask] += wv;
    }
    // Sum over subsets (zeta transform).
    for bit in 0..n {
        for mask in 0..1usize << n {
            if mask & (1 << bit) != 0 {
                v[mask] += v[mask ^ (1 << bit)];
                vv[mask] += vv[mask ^ (1 << bit)];
            }
        }
    }
    Ok((v, vv))
}

/// The Shapley value of a game with `players` players by enumeration of all coalitions:
/// `φ_i = Σ_{S ⊆ N∖{i}} |S|! (n-|S|-1)! / n! · (v(S ∪ {i}) - v(S))`, with `v` given for every
/// coalition bitmask.
///
/// # Errors
/// [`AttributionError::InvalidParameter`] for more than [`MAX_PLAYERS`] players or a `worth`
/// vector of the wrong length.
pub fn shapley_values(players: usize, worth: &[f64]) -> Result<Vec<f64>, AttributionError> {
    if players > MAX_PLAYERS || worth.len() != 1 << players {
        return Err(AttributionError::InvalidParameter {
            name: "players",
            reason: format!("need at most {MAX_PLAYERS} players and 2^players worths"),
        });
    }
    let n = players;
    // weight[s] = s! (n-s-1)! / n!
    #[allow(clippy::cast_precision_loss)]
    let weight: Vec<f64> = (0..n)
        .map(|s| {
            let mut w = 1.0 / n as f64;
            // 1/n * 1/C(n-1, s)
            for k in 0..s {
                w *= (k + 1) as f64 / (n - 1 - k) as f64;
            }
            w
        })
        .collect();
    let mut phi = vec![0.0; n];
    for (i, p) in phi.iter_mut().enumerate() {
        let bit = 1usize << i;
        for mask in 0..1usize << n {
            if mask & bit == 0 {
                *p += weight[mask.count_ones() as usize] * (worth[mask | bit] - worth[mask]);
            }
        }
    }
    Ok(phi)
}

#[cfg(test)]
mod tests {
    use super::super::PathSetBuilder;
    use super::*;

    #[test]
    fn simplified_splits_each_set_equally() {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b", "a"], 6.0, 2.0, 60.0).unwrap();
        b.add_named(["b", "a"], 3.0, 1.0, 0.0).unwrap();
        b.add_named(["c"], 1.0, 9.0, 10.0).unwrap();
        let s = b.build();
        let c = simplified(&s, ShapleyWorth::Conversions).unwrap();
        assert_eq!(c.conversions, [4.5, 4.5, 1.0]);
        assert_eq!(c.value, [30.0, 30.0, 10.0]);
        // Rates: {a,b} 9/12, {c} 1/10 -> a, b 0.375 each, c 0.1, scaled to 10.
        let r = simplified(&s, ShapleyWorth::ConversionRate).unwrap();
        let total = 0.375 * 2.0 + 0.1;
        assert!((r.conversions[2] - 0.1 / total * 10.0).abs() < 1e-12);
    }

    #[test]
    fn enumeration_matches_the_closed_form() {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b"], 2.0, 0.0, 0.0).unwrap();
        b.add_named(["b", "c", "a"], 3.0, 0.0, 0.0).unwrap();
        b.add_named(["c"], 5.0, 0.0, 0.0).unwrap();
        let s = b.build();
        let (v, _) = set_game(&s, ShapleyWorth::Conversions).unwrap();
        assert_eq!(v[0b111], 10.0);
        assert_eq!(v[0b011], 2.0);
        let phi = shapley_values(3, &v).unwrap();
        // a: 2/2 + 3/3, b: the same, c: 3/3 + 5
        for (p, e) in phi.iter().zip([2.0, 2.0, 6.0]) {
            assert!((p - e).abs() < 1e-12);
        }
    }

    #[test]
    fn ordered_splits_by_first_touch_position() {
        let mut b = PathSetBuilder::new();
        b.add_named(["a", "b", "a"], 4.0, 0.0, 8.0).unwrap();
        b.add_named(["b"], 1.0, 0.0, 0.0).unwrap();
        let o = ordered(&b.build());
        assert_eq!(o.conversions_by_position[0], [2.0]);
        assert_eq!(o.conversions_by_position[1], [1.0, 2.0]);
        assert_eq!(o.value_by_position[1], [0.0, 4.0]);
        assert_eq!(o.credits.conversions, [2.0, 3.0]);
    }
}

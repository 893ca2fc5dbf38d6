//! The funnel of one journey: a pure state machine over time-sorted step events.
//!
//! The input is one customer's (or one session's) events, each with the bitmask of the funnel
//! steps it matches; matching happened in the query plan, so the machine sees only integers.
//! The output is how far the journey got and when it reached each step.
//!
//! - [`FunnelOrder::Ordered`]: steps in order, other events may sit between them. One slot per
//!   step holds the path with the latest start that reached it; the latest start leaves the
//!   most room in the window, so the furthest step found is exact. An event's steps are walked
//!   from the last to the first, so one event extends a path by at most one step.
//! - [`FunnelOrder::Strict`]: as ordered, but a path must continue with the very next event;
//!   every slot the event did not extend is cleared.
//! - [`FunnelOrder::Any`]: order does not matter. Each step event is tried as the anchor of a
//!   window; step *k* is reached when steps 1..=*k* all occur in one window.
//!
//! Of all paths that reach the furthest step, the one that reaches it first is reported, with
//! the earliest later step after each step of it: its step times give the time from the
//! previous step.

/// The most steps a funnel may have (the width of the step bitmask).
pub const MAX_STEPS: usize = 32;

/// How the steps of a funnel must follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FunnelOrder {
    /// In order; other events may sit between the steps.
    #[default]
    Ordered,
    /// In order, and each step must be the very next event of the journey.
    Strict,
    /// In any order.
    Any,
}

impl FunnelOrder {
    /// The order's command-line name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FunnelOrder::Ordered => "ordered",
            FunnelOrder::Strict => "strict",
            FunnelOrder::Any => "any",
        }
    }
}

/// The shape of a funnel: how many steps, how they must follow each other, and in what time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FunnelSpec {
    /// The number of steps, 1 to [`MAX_STEPS`].
    pub steps: usize,
    /// The conversion window in microseconds: the last step counts only when it happened at
    /// most this long after the first. `None` is no limit.
    pub window_us: Option<i64>,
    /// How the steps must follow each other.
    pub order: FunnelOrder,
}

/// One event of a journey, as the funnel sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepEvent {
    /// When it happened, in UTC microseconds.
    pub time_us: i64,
    /// Its position in the event files, which orders events of the same time.
    pub ordinal: i64,
    /// Bit `k` is set when the event matches step `k` (from 0); zero for other events.
    pub mask: u32,
}

/// How far one journey got through a funnel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunnelOutcome {
    /// The time each reached step was reached, from the first step on; its length is the
    /// number of steps reached.
    pub step_times_us: Vec<i64>,
}

impl FunnelOutcome {
    /// The number of steps reached.
    #[must_use]
    pub fn level(&self) -> usize {
        self.step_times_us.len()
    }
}

/// Runs the funnel over one journey. The events may come in any order: they are sorted by
/// time and then by ordinal first.
///
/// # Panics
/// Never for a valid spec; a spec with more than [`MAX_STEPS`] steps is cut to that many.
#[must_use]
pub fn run_funnel(spec: &FunnelSpec, events: &mut [StepEvent]) -> FunnelOutcome {
    events.sort_unstable();
    let steps = spec.steps.min(MAX_STEPS);
    if steps == 0 {
        return FunnelOutcome::default();
    }
    match spec.order {
        FunnelOrder::Ordered => run_ordered(steps, spec.window_us, events, false),
        FunnelOrder::Strict => run_ordered(steps, spec.window_us, events, true),
        FunnelOrder::Any => run_any(steps, spec.window_us, events),
    }
}

/// A partial path through the funnel: the time of each step reached so far.
#[derive(Debug, Clone, Copy)]
struct Path {
    times: [i64; MAX_STEPS],
}

impl Path {
    fn start(&self) -> i64 {
        self.times[0]
    }
}

fn within(window_us: Option<i64>, start: i64, time: i64) -> bool {
    window_us.is_none_or(|w| time - start <= w)
}

fn run_ordered(
    steps: usize,
    window_us: Option<i64>,
    events: &[StepEvent],
    strict: bool,
) -> FunnelOutcome {
    let mut slots: [Option<Path>; MAX_STEPS] = [None; MAX_STEPS];
    let mut best: Option<(usize, Path)> = None;
    let step_bits = if steps == MAX_STEPS {
        u32::MAX
    } else {
        (1u32 << steps) - 1
    };
    for event in events {
        let mask = event.mask & step_bits;
        let mut advanced = 0u32;
        let mut furthest: Option<usize> = None;
        if mask != 0 {
            for k in (0..steps).rev() {
                if mask & (1 << k) == 0 {
                    continue;
                }
                let path = if k == 0 {
                    let mut p = Path {
                        times: [0; MAX_STEPS],
                    };
                    p.times[0] = event.time_us;
                    Some(p)
                } else {
                    // Slot k - 1 still holds its state from before this event.
                    slots[k - 1]
                        .filter(|prev| within(window_us, prev.start(), event.time_us))
                        .map(|mut p| {
                            p.times[k] = event.time_us;
                            p
                        })
                };
                let Some(path) = path else { continue };
                // Ordered: keep the path with the later start (more room in the window); an
                // equal start keeps the earlier step times. Strict: the newest path always wins.
                let replace =
                    strict || slots[k].is_none_or(|old| path.start() > old.start()) || k == 0;
                if replace {
                    slots[k] = Some(path);
                }
                advanced |= 1 << k;
                furthest = furthest.max(Some(k));
            }
        }
        if strict {
            for (k, slot) in slots.iter_mut().enumerate().take(steps) {
                if advanced & (1 << k) == 0 {
                    *slot = None;
                }
            }
        }
        if let Some(k) = furthest
            && best.is_none_or(|(level, _)| k + 1 > level)
            && let Some(path) = slots[k]
        {
            best = Some((k + 1, path));
            if k + 1 == steps {
                break;
            }
        }
    }
    best.map_or_else(FunnelOutcome::default, |(level, path)| FunnelOutcome {
        step_times_us: path.times[..level].to_vec(),
    })
}

fn run_any(steps: usize, window_us: Option<i64>, events: &[StepEvent]) -> FunnelOutcome {
    // next[j]: the index of the first event at or after the anchor that matches step j.
    let mut next: [Option<usize>; MAX_STEPS] = [None; MAX_STEPS];
    let mut best: Option<(usize, usize, [i64; MAX_STEPS])> = None; // (level, anchor, times)
    let step_bits = if steps == MAX_STEPS {
        u32::MAX
    } else {
        (1u32 << steps) - 1
    };
    // Walk anchors from the last event back; a later anchor never beats an earlier one with
    // the same level, so `>=` keeps the earliest.
    for (i, event) in events.iter().enumerate().rev() {
        let mask = event.mask & step_bits;
        if mask == 0 {
            continue;
        }
        for (j, n) in next.iter_mut().enumerate().take(steps) {
            if mask & (1 << j) != 0 {
                *n = Some(i);
            }
        }
        let anchor = event.time_us;
        let mut times = [0i64; MAX_STEPS];
        let mut level = 0;
        let mut done = i64::MIN;
        for (k, n) in next.iter().enumerate().take(steps) {
            let Some(idx) = *n else { break };
            done = done.max(events[idx].time_us);
            if !within(window_us, anchor, done) {
                break;
            }
            times[k] = done;
            level = k + 1;
        }
        if level > 0 && best.is_none_or(|(l, _, _)| level >= l) {
            best = Some((level, i, times));
        }
    }
    best.map_or_else(FunnelOutcome::default, |(level, _, times)| FunnelOutcome {
        step_times_us: times[..level].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    /// Events from (seconds, steps matched from 1) pairs; the ordinal is the position.
    fn ev(items: &[(i64, &[usize])]) -> Vec<StepEvent> {
        items
            .iter()
            .enumerate()
            .map(|(i, (t, steps))| StepEvent {
                time_us: t * S,
                ordinal: i64::try_from(i).unwrap(),
                mask: steps.iter().fold(0, |m, s| m | 1 << (s - 1)),
            })
            .collect()
    }

    fn run(
        order: FunnelOrder,
        steps: usize,
        window_s: Option<i64>,
        items: &[(i64, &[usize])],
    ) -> Vec<i64> {
        let spec = FunnelSpec {
            steps,
            window_us: window_s.map(|w| w * S),
            order,
        };
        run_funnel(&spec, &mut ev(items))
            .step_times_us
            .into_iter()
            .map(|t| t / S)
            .collect()
    }

    use FunnelOrder::{Any, Ordered, Strict};

    #[test]
    fn ordered_allows_events_between_steps() {
        let j: &[(i64, &[usize])] = &[(0, &[1]), (1, &[]), (2, &[2]), (3, &[]), (4, &[3])];
        assert_eq!(run(Ordered, 3, None, j), [0, 2, 4]);
    }

    #[test]
    fn ordered_needs_the_order() {
        let j: &[(i64, &[usize])] = &[(0, &[2]), (1, &[1]), (2, &[3])];
        assert_eq!(run(Ordered, 3, None, j), [1]);
    }

    #[test]
    fn strict_breaks_on_any_event_between() {
        let j: &[(i64, &[usize])] = &[(0, &[1]), (1, &[]), (2, &[2]), (3, &[3])];
        assert_eq!(run(Strict, 3, None, j), [0]);
        let j: &[(i64, &[usize])] = &[(0, &[1]), (1, &[]), (2, &[1]), (3, &[2]), (4, &[3])];
        assert_eq!(run(Strict, 3, None, j), [2, 3, 4]);
    }

    #[test]
    fn any_ignores_the_order() {
        let j: &[(i64, &[usize])] = &[(0, &[3]), (5, &[1]), (9, &[2])];
        assert_eq!(run(Any, 3, None, j), [5, 9, 9]);
        assert_eq!(run(Ordered, 3, None, j), [5, 9]);
    }

    #[test]
    fn the_window_limits_first_to_last() {
        let j: &[(i64, &[usize])] = &[(0, &[1]), (50, &[2]), (100, &[3])];
        assert_eq!(run(Ordered, 3, Some(100), j), [0, 50, 100]);
        assert_eq!(run(Ordered, 3, Some(99), j), [0, 50]);
        assert_eq!(run(Strict, 3, Some(99), j), [0, 50]);
        assert_eq!(run(Any, 3, Some(99), j), [0, 50]);
        assert_eq!(run(Ordered, 3, Some(49), j), [0]);
    }

    #[test]
    fn a_later_start_rescues_the_window() {
        // The first A is too old for C; the second A (re-entry) is not.
        let j: &[(i64, &[usize])] = &[(0, &[1]), (10, &[2]), (100, &[1]), (110, &[2]), (120, &[3])];
        assert_eq!(run(Ordered, 3, Some(30), j), [100, 110, 120]);
        // Without a window too, the latest start of the first completion is reported.
        assert_eq!(run(Ordered, 3, None, j), [100, 110, 120]);
        assert_eq!(run(Ordered, 3, Some(19), j), [0, 10]);
    }

    #[test]
    fn re_entry_counts_once_and_reports_the_first_completion() {
        let j: &[(i64, &[usize])] = &[(0, &[1]), (1, &[2]), (2, &[1]), (3, &[2])];
        assert_eq!(run(Ordered, 2, None, j), [0, 1]);
    }

    #[test]
    fn one_event_moves_a_path_one_step() {
        // A funnel a → a: one event is not two steps.
        let j: &[(i64, &[usize])] = &[(0, &[1, 2])];
        assert_eq!(run(Ordered, 2, None, j), [0]);
        let j: &[(i64, &[usize])] = &[(0, &[1, 2]), (5, &[1, 2])];
        assert_eq!(run(Ordered, 2, None, j), [0, 5]);
        assert_eq!(run(Strict, 2, None, j), [0, 5]);
    }

    #[test]
    fn ties_in_time_keep_the_ordinal_order() {
        let mut events = vec![
            StepEvent {
                time_us: 7,
                ordinal: 2,
                mask: 0b10,
            },
            StepEvent {
                time_us: 7,
                ordinal: 1,
                mask: 0b01,
            },
        ];
        let spec = FunnelSpec {
            steps: 2,
            window_us: Some(0),
            order: Ordered,
        };
        assert_eq!(run_funnel(&spec, &mut events).level(), 2);
        let mut events = vec![
            StepEvent {
                time_us: 7,
                ordinal: 1,
                mask: 0b10,
            },
            StepEvent {
                time_us: 7,
                ordinal: 2,
                mask: 0b01,
            },
        ];
        assert_eq!(run_funnel(&spec, &mut events).level(), 1);
    }

    #[test]
    fn intermediate_times_are_the_earliest_after_the_start() {
        // A B B C: the path is A(0) B(1) C(6), not A(0) B(5) C(6).
        let j: &[(i64, &[usize])] = &[(0, &[1]), (1, &[2]), (5, &[2]), (6, &[3])];
        assert_eq!(run(Ordered, 3, None, j), [0, 1, 6]);
        // The latest A before B starts the path.
        let j: &[(i64, &[usize])] = &[(0, &[1]), (2, &[1]), (3, &[2])];
        assert_eq!(run(Ordered, 2, None, j), [2, 3]);
    }

    #[test]
    fn no_first_step_is_level_zero() {
        let j: &[(i64, &[usize])] = &[(0, &[2]), (1, &[3]), (2, &[])];
        for order in [Ordered, Strict, Any] {
            assert_eq!(run(order, 3, None, j), Vec::<i64>::new(), "{order:?}");
        }
    }
}

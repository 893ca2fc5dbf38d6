//! The funnel machine against a brute-force search over every path of small journeys.

use polku_engine::funnel::{FunnelOrder, FunnelSpec, StepEvent, run_funnel};
use proptest::prelude::*;

/// The reference: every valid path, then the rule the machine reports by (furthest step;
/// earliest completion; latest start time, earliest start event; earliest step events).
fn reference(spec: &FunnelSpec, events: &[StepEvent]) -> Vec<i64> {
    let mut events = events.to_vec();
    events.sort_unstable();
    let n = spec.steps;
    let within = |a: i64, b: i64| spec.window_us.is_none_or(|w| b - a <= w);
    if spec.order == FunnelOrder::Any {
        return reference_any(spec, &events);
    }
    // Paths as index lists, grown step by step.
    let mut best: Option<Vec<usize>> = None;
    let mut frontier: Vec<Vec<usize>> = (0..events.len())
        .filter(|&i| events[i].mask & 1 != 0)
        .map(|i| vec![i])
        .collect();
    let key = |p: &Vec<usize>| {
        // Larger is better: level, then earlier completion, later start time, earlier start
        // event, earlier step events.
        let rest: Vec<std::cmp::Reverse<usize>> = p.iter().map(|&i| std::cmp::Reverse(i)).collect();
        (
            p.len(),
            std::cmp::Reverse(*p.last().unwrap()),
            events[p[0]].time_us,
            std::cmp::Reverse(p[0]),
            rest,
        )
    };
    while !frontier.is_empty() {
        for p in &frontier {
            if best.as_ref().is_none_or(|b| key(p) > key(b)) {
                best = Some(p.clone());
            }
        }
        let mut next = Vec::new();
        for p in &frontier {
            let k = p.len();
            if k == n {
                continue;
            }
            let last = *p.last().unwrap();
            let candidates: Vec<usize> = match spec.order {
                FunnelOrder::Strict => vec![last + 1],
                _ => (last + 1..events.len()).collect(),
            };
            for j in candidates {
                if j < events.len()
                    && events[j].mask & (1 << k) != 0
                    && within(events[p[0]].time_us, events[j].time_us)
                {
                    let mut q = p.clone();
                    q.push(j);
                    next.push(q);
                }
            }
        }
        frontier = next;
    }
    best.map(|p| p.iter().map(|&i| events[i].time_us).collect())
        .unwrap_or_default()
}

fn reference_any(spec: &FunnelSpec, events: &[StepEvent]) -> Vec<i64> {
    let n = spec.steps;
    let within = |a: i64, b: i64| spec.window_us.is_none_or(|w| b - a <= w);
    // The level: the most leading steps that fit together in one window, by brute force.
    let mut level = 0;
    for i in 0..events.len() {
        let mut seen = 0u32;
        for e in &events[i..] {
            if !within(events[i].time_us, e.time_us) {
                break;
            }
            seen |= e.mask;
            let mut l = 0;
            while l < n && seen & (1 << l) != 0 {
                l += 1;
            }
            level = level.max(l);
        }
    }
    if level == 0 {
        return Vec::new();
    }
    // The times: from the first anchor that reaches the level.
    for i in 0..events.len() {
        if events[i].mask == 0 {
            continue;
        }
        let mut times = Vec::new();
        let mut done = i64::MIN;
        for k in 0..level {
            let Some(e) = events[i..].iter().find(|e| e.mask & (1 << k) != 0) else {
                break;
            };
            done = done.max(e.time_us);
            if !within(events[i].time_us, done) {
                break;
            }
            times.push(done);
        }
        if times.len() == level {
            return times;
        }
    }
    unreachable!("some anchor reaches the level")
}

fn journey() -> impl Strategy<Value = Vec<StepEvent>> {
    prop::collection::vec((0i64..12, 0u32..16), 0..9).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (t, mask))| StepEvent {
                time_us: t,
                ordinal: i64::try_from(i).unwrap(),
                // Mostly single steps, sometimes none or two.
                mask: match mask {
                    0..=2 => 0,
                    3..=12 => 1 << (mask % 4),
                    _ => 0b11 << (mask % 3),
                },
            })
            .collect()
    })
}

fn order() -> impl Strategy<Value = FunnelOrder> {
    prop_oneof![
        Just(FunnelOrder::Ordered),
        Just(FunnelOrder::Strict),
        Just(FunnelOrder::Any)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_machine_agrees_with_brute_force(
        events in journey(),
        steps in 1usize..5,
        window in prop::option::of(0i64..8),
        order in order(),
    ) {
        let spec = FunnelSpec { steps, window_us: window, order };
        let mut shuffled = events.clone();
        shuffled.reverse();
        let got = run_funnel(&spec, &mut shuffled).step_times_us;
        prop_assert_eq!(got, reference(&spec, &events), "{:?}", events);
    }
}

//! A synthetic multi-channel data set with a known ground truth, for demos, tests and
//! benchmarks.
//!
//! Customers are B2B clients (long journeys, several devices, leads, demos, onboarding and
//! renewals with the next campaign order) or B2C consumers (short journeys, purchases and repeat purchases). Each customer
//! meets the company through a random, non-linear sequence of channel touches spread over
//! days or weeks; every touch is a session that lands with UTM tags and browses on. Whether
//! a customer converts follows a noisy-OR model: with touched channels `C`,
//! `P(convert) = 1 − (1 − base) · Π_{c∈C} (1 − effect_c)`, and one uniform draw `u` per
//! customer decides (`u < P`). Because the draw is kept, the generator also knows what would
//! have happened without each channel, so the ground truth holds each channel's true removal
//! effect (the share of conversions lost without it) besides its effect parameter.
//!
//! A B2B lead and its demo booking fall in the customer's last visit; the deal is closed days
//! later outside any visit. B2B customers whose draw missed by a small margin leave a lead that
//! is never won. Neither adds a draw, so the channels' ground truth is unchanged.
//!
//! The same seed always gives the same files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::IngestError;

/// One channel of the synthetic world.
#[derive(Debug, Clone, Copy)]
struct Channel {
    group: &'static str,
    source: &'static str,
    medium: &'static str,
    campaign: &'static str,
    referrer: &'static str,
    /// Relative frequency of touches.
    weight: f64,
    /// Conversion effect per customer touched.
    effect: f64,
    /// Cost per touch (click), in euros; zero for unpaid channels.
    cpc: f64,
}

const CHANNELS: [Channel; 9] = [
    Channel {
        group: "Organic Search",
        source: "google",
        medium: "organic",
        campaign: "",
        referrer: "https://www.google.com/",
        weight: 0.22,
        effect: 0.05,
        cpc: 0.0,
    },
    Channel {
        group: "Paid Search",
        source: "google",
        medium: "cpc",
        campaign: "brand_search",
        referrer: "https://www.google.com/",
        weight: 0.16,
        effect: 0.09,
        cpc: 0.85,
    },
    Channel {
        group: "Paid Social",
        source: "facebook",
        medium: "paid_social",
        campaign: "spring_awareness",
        referrer: "https://l.facebook.com/",
        weight: 0.13,
        effect: 0.03,
        cpc: 0.45,
    },
    Channel {
        group: "Paid Social",
        source: "linkedin",
        medium: "cpc",
        campaign: "b2b_leads",
        referrer: "https://www.linkedin.com/",
        weight: 0.07,
        effect: 0.07,
        cpc: 2.40,
    },
    Channel {
        group: "Organic Social",
        source: "linkedin.com",
        medium: "referral",
        campaign: "",
        referrer: "https://www.linkedin.com/",
        weight: 0.08,
        effect: 0.02,
        cpc: 0.0,
    },
    Channel {
        group: "Email",
        source: "newsletter",
        medium: "email",
        campaign: "monthly",
        referrer: "",
        weight: 0.12,
        effect: 0.08,
        cpc: 0.0,
    },
    Channel {
        group: "Referral",
        source: "partner.example.com",
        medium: "referral",
        campaign: "",
        referrer: "https://partner.example.com/tools",
        weight: 0.06,
        effect: 0.06,
        cpc: 0.0,
    },
    Channel {
        group: "Display",
        source: "gdn",
        medium: "display",
        campaign: "retargeting_banners",
        referrer: "https://ads.example.net/",
        weight: 0.08,
        effect: 0.01,
        cpc: 0.30,
    },
    Channel {
        group: "Direct",
        source: "",
        medium: "",
        campaign: "",
        referrer: "",
        weight: 0.08,
        effect: 0.04,
        cpc: 0.0,
    },
];

const BASELINE: f64 = 0.01;
/// Repeat purchases are `purchase` events with `repeat_purchase` = `yes` in the file.
const REPEAT_PURCHASE: &str = "repeat_purchase";
const PAGES: [&str; 8] = [
    "/",
    "/pricing",
    "/features",
    "/blog/customer-journey",
    "/blog/personas",
    "/case-studies",
    "/contact",
    "/about",
];
/// Days from a B2B client's onboarding to the renewal (the next campaign order) of those who
/// renew: soon enough that a two-month period of the first half year sees renewals next to
/// first touches, so every stage of a journey has customers. Not a random draw, so it leaves
/// every other draw, and the ground truth, as it is.
pub const RENEWAL_AFTER_DAYS: i64 = 45;
const START: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const DAYS: i64 = 181;

/// Options of `polku generate`.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// How many customers.
    pub customers: u64,
    /// The random seed.
    pub seed: u64,
    /// The events file to write (CSV); its companions are written beside it.
    pub out: PathBuf,
}

/// What `generate` wrote and the truth behind it.
#[derive(Debug, Clone, Serialize)]
pub struct GroundTruth {
    /// The seed.
    pub seed: u64,
    /// Customers simulated.
    pub customers: u64,
    /// Events written.
    pub events: u64,
    /// Customers who converted (first purchase, or a won deal).
    pub conversions: u64,
    /// Conversion value in euros.
    pub revenue: f64,
    /// The baseline conversion probability without any touch.
    pub baseline: f64,
    /// Per channel group: the effect parameter of the noisy-OR model (for a group made of
    /// several sources, the touch-weighted mean).
    pub channel_effects: BTreeMap<String, f64>,
    /// Per channel group: the share of conversions that would be lost without the group
    /// (same customers, same draws).
    pub removal_effects: BTreeMap<String, f64>,
    /// Per channel group: touches (sessions started from it).
    pub touches: BTreeMap<String, u64>,
    /// Per channel group: ad spend in euros.
    pub spend: BTreeMap<String, f64>,
    /// The files written.
    pub files: Vec<String>,
}

struct Ev {
    time: i64,
    customer: u32,
    device: u8,
    seq: u16,
    kind: EvKind,
    channel: Option<u8>,
    session: u32,
    page: u8,
    value: f64,
    with_user: bool,
}

#[derive(Clone, Copy)]
enum EvKind {
    PageView { landing: bool },
    Named(&'static str),
}

fn pick_channel(rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = CHANNELS.iter().map(|c| c.weight).sum();
    let mut x = rng.random::<f64>() * total;
    for (i, c) in CHANNELS.iter().enumerate() {
        if x < c.weight {
            return i;
        }
        x -= c.weight;
    }
    CHANNELS.len() - 1
}

/// How far above a B2B customer's conversion probability the draw may fall for the customer
/// still to leave a lead (one that is never won), so lead quality is below 100 %.
const LOST_LEAD_MARGIN: f64 = 0.15;

/// Seconds from a lead to the demo booked on the form's thank-you page, in the same visit.
const DEMO_AFTER_S: i64 = 240;

/// A lead form sent in the customer's last visit, and a demo booked right after it.
fn push_lead(
    events: &mut Vec<Ev>,
    seq: &mut u16,
    customer: u32,
    device: u8,
    channel: usize,
    session: u32,
    time: i64,
) {
    for (name, at) in [("lead_created", time), ("demo_booked", time + DEMO_AFTER_S)] {
        events.push(Ev {
            time: at,
            customer,
            device,
            seq: *seq,
            kind: EvKind::Named(name),
            channel: Some(channel as u8),
            session,
            page: 6,
            value: 0.0,
            with_user: true,
        });
        *seq += 1;
    }
}

fn convert_probability(touched: &[bool]) -> f64 {
    let mut miss = 1.0 - BASELINE;
    for (i, t) in touched.iter().enumerate() {
        if *t {
            miss *= 1.0 - CHANNELS[i].effect;
        }
    }
    1.0 - miss
}

fn companion(out: &Path, suffix: &str) -> PathBuf {
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("events");
    out.with_file_name(format!("{stem}.{suffix}"))
}

fn write_csv_field(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n']) {
        write!(w, "\"{}\"", s.replace('"', "\"\""))
    } else {
        w.write_all(s.as_bytes())
    }
}

/// Writes the synthetic data set: the events CSV at `opts.out`, and beside it
/// `STEM.costs.csv`, `STEM.survey.csv` and `STEM.truth.json`.
///
/// # Errors
/// When a file cannot be written.
#[allow(
    clippy::too_many_lines,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn generate(opts: &GenerateOptions) -> Result<GroundTruth, IngestError> {
    if opts.customers == 0 || opts.customers > u64::from(u32::MAX) {
        return Err(IngestError::Usage(
            "--customers must be between 1 and 4294967295".into(),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut events: Vec<Ev> = Vec::new();
    let mut survey: Vec<(u32, i64, String)> = Vec::new();
    let mut conversions = 0u64;
    let mut revenue = 0.0;
    let mut lost_without = [0u64; CHANNELS.len()];
    let mut touches = [0u64; CHANNELS.len()];
    let mut session_id = 0u32;
    let mut daily_touches: BTreeMap<(i64, usize), u64> = BTreeMap::new();

    let mut b2b_of = vec![false; opts.customers as usize];
    for customer in 0..opts.customers as u32 {
        let b2b = rng.random_bool(0.35);
        b2b_of[customer as usize] = b2b;
        let devices: u8 = if b2b {
            rng.random_range(1..=3)
        } else {
            rng.random_range(1..=2)
        };
        let n_touch: usize = if b2b {
            rng.random_range(2..=9)
        } else {
            rng.random_range(1..=5)
        };
        let span_days: f64 = if b2b {
            rng.random_range(7.0..75.0)
        } else {
            rng.random_range(0.2..14.0)
        };
        let first =
            START + rng.random_range(0..(DAYS - 80).max(1)) * 86_400 + rng.random_range(0..86_400);
        let mut t = first;
        let mut touched = [false; CHANNELS.len()];
        let mut first_channel = None;
        let mut seq = 0u16;
        let mut journey: Vec<(i64, u8, usize, u32)> = Vec::new();
        for k in 0..n_touch {
            let c = pick_channel(&mut rng);
            touched[c] = true;
            touches[c] += 1;
            first_channel.get_or_insert(c);
            let device = rng.random_range(0..devices);
            session_id += 1;
            journey.push((t, device, c, session_id));
            *daily_touches.entry(((t - START) / 86_400, c)).or_insert(0) += 1;
            let pages = rng.random_range(1..=5u8);
            let mut pt = t;
            for p in 0..pages {
                events.push(Ev {
                    time: pt,
                    customer,
                    device,
                    seq,
                    kind: EvKind::PageView { landing: p == 0 },
                    channel: Some(c as u8),
                    session: session_id,
                    page: if p == 0 {
                        rng.random_range(0..4)
                    } else {
                        rng.random_range(0..PAGES.len() as u8)
                    },
                    value: 0.0,
                    with_user: false,
                });
                seq += 1;
                pt += rng.random_range(5..240);
            }
            if b2b && rng.random_bool(0.15) {
                events.push(Ev {
                    time: pt,
                    customer,
                    device,
                    seq,
                    kind: EvKind::Named("whitepaper_download"),
                    channel: Some(c as u8),
                    session: session_id,
                    page: 3,
                    value: 0.0,
                    with_user: false,
                });
                seq += 1;
            }
            if k + 1 < n_touch {
                t += (span_days * 86_400.0 / n_touch as f64 * rng.random_range(0.3..1.7)) as i64
                    + 600;
            }
        }
        // The conversion draw, and the counterfactual without each channel.
        let u: f64 = rng.random();
        let p = convert_probability(&touched);
        let converted = u < p;
        if converted {
            for (i, was) in touched.iter().enumerate() {
                if *was {
                    let mut without = touched;
                    without[i] = false;
                    if u >= convert_probability(&without) {
                        lost_without[i] += 1;
                    }
                }
            }
        }
        let (last_t, last_device, last_c, last_session) =
            *journey.last().expect("at least one touch");
        let mut ct = last_t + rng.random_range(60..1800);
        // B2B customers whose draw only just missed become leads that are lost: derived from
        // `u`, so no draw is added and every other customer's data stays as it was.
        if b2b && !converted && u < p + LOST_LEAD_MARGIN {
            push_lead(
                &mut events,
                &mut seq,
                customer,
                last_device,
                last_c,
                last_session,
                ct,
            );
        }
        if converted {
            conversions += 1;
            if b2b {
                let value = (rng.random_range(3_000.0..40_000.0_f64) / 100.0).round() * 100.0;
                let lead = ct;
                let mut days = [0i64; 3];
                for d in &mut days {
                    *d = rng.random_range(1..10);
                }
                push_lead(
                    &mut events,
                    &mut seq,
                    customer,
                    last_device,
                    last_c,
                    last_session,
                    lead,
                );
                // The deal is closed days later in the CRM, outside any visit: were it in the
                // lead's session, that visit would last days.
                ct = lead + (days[0] + days[1]) * 86_400;
                events.push(Ev {
                    time: ct,
                    customer,
                    device: last_device,
                    seq,
                    kind: EvKind::Named("deal_won"),
                    channel: None,
                    session: 0,
                    page: 0,
                    value,
                    with_user: true,
                });
                seq += 1;
                ct += days[2] * 86_400;
                revenue += value;
                // Onboarding follows the deal; derived from times already drawn, so adding it
                // leaves every other customer's draws as they were.
                events.push(Ev {
                    time: ct,
                    customer,
                    device: last_device,
                    seq,
                    kind: EvKind::Named("onboarding_meeting"),
                    channel: None,
                    session: 0,
                    page: 0,
                    value: 0.0,
                    with_user: true,
                });
                seq += 1;
                if rng.random_bool(0.7) {
                    events.push(Ev {
                        time: ct + RENEWAL_AFTER_DAYS * 86_400,
                        customer,
                        device: last_device,
                        seq,
                        kind: EvKind::Named("renewal"),
                        channel: None,
                        session: 0,
                        page: 0,
                        value,
                        with_user: true,
                    });
                    revenue += value;
                }
            } else {
                let value = (rng.random_range(19.0..250.0_f64) * 100.0).round() / 100.0;
                events.push(Ev {
                    time: ct,
                    customer,
                    device: last_device,
                    seq,
                    kind: EvKind::Named("purchase"),
                    channel: Some(last_c as u8),
                    session: last_session,
                    page: 6,
                    value,
                    with_user: true,
                });
                seq += 1;
                events.push(Ev {
                    time: ct + 2 * 86_400,
                    customer,
                    device: last_device,
                    seq,
                    kind: EvKind::Named("order_delivered"),
                    channel: None,
                    session: 0,
                    page: 0,
                    value: 0.0,
                    with_user: true,
                });
                seq += 1;
                revenue += value;
                // Repeat purchases by loyal consumers, mostly from e-mail.
                let repeats = if rng.random_bool(0.4) {
                    rng.random_range(1..=4)
                } else {
                    0
                };
                for _ in 0..repeats {
                    ct += rng.random_range(7..45) * 86_400;
                    session_id += 1;
                    let c = if rng.random_bool(0.6) { 5 } else { 8 };
                    let v = (rng.random_range(15.0..180.0_f64) * 100.0).round() / 100.0;
                    events.push(Ev {
                        time: ct,
                        customer,
                        device: last_device,
                        seq,
                        kind: EvKind::PageView { landing: true },
                        channel: Some(c),
                        session: session_id,
                        page: 0,
                        value: 0.0,
                        with_user: true,
                    });
                    seq += 1;
                    events.push(Ev {
                        time: ct + 120,
                        customer,
                        device: last_device,
                        seq,
                        kind: EvKind::Named(REPEAT_PURCHASE),
                        channel: Some(c),
                        session: session_id,
                        page: 6,
                        value: v,
                        with_user: true,
                    });
                    seq += 1;
                    revenue += v;
                }
            }
            if rng.random_bool(0.3) {
                let answer = if rng.random_bool(0.3) {
                    "A colleague recommended you".to_owned()
                } else {
                    match CHANNELS[first_channel.unwrap_or(8)].group {
                        "Organic Search" | "Paid Search" => "Google".to_owned(),
                        "Paid Social" | "Organic Social" => {
                            if b2b {
                                "LinkedIn".to_owned()
                            } else {
                                "Facebook".to_owned()
                            }
                        }
                        "Email" => "Newsletter".to_owned(),
                        "Referral" => "A partner's website".to_owned(),
                        "Display" => "An online ad".to_owned(),
                        _ => "I already knew you".to_owned(),
                    }
                };
                survey.push((customer, ct + 86_400, answer));
            }
        }
    }
    events.sort_by_key(|e| (e.time, e.customer, e.seq));

    // Events.
    let mut files = Vec::new();
    let file = fs_err::File::create(&opts.out)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    w.write_all(b"timestamp,event_name,anonymous_id,user_id,utm_source,utm_medium,utm_campaign,page_url,referrer,session_id,revenue,currency,customer_type,repeat_purchase\n")?;
    let mut identified = vec![false; opts.customers as usize];
    for e in &events {
        let when = chrono::DateTime::from_timestamp(e.time, 0)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ");
        let (name, landing, repeat) = match e.kind {
            EvKind::PageView { landing } => ("page_view", landing, ""),
            EvKind::Named(REPEAT_PURCHASE) => ("purchase", false, "yes"),
            EvKind::Named("purchase") => ("purchase", false, "no"),
            EvKind::Named(n) => (n, false, ""),
        };
        let user = e.with_user || identified[e.customer as usize];
        if e.with_user {
            identified[e.customer as usize] = true;
        }
        let ch = e.channel.map(|c| &CHANNELS[c as usize]);
        let (src, med, camp, refr) = match (landing, ch) {
            (true, Some(c)) => (c.source, c.medium, c.campaign, c.referrer),
            _ => (
                "",
                "",
                "",
                if e.session == 0 {
                    ""
                } else {
                    "https://www.example.com/"
                },
            ),
        };
        write!(w, "{when},{name},d{:x}-{},", e.customer, e.device)?;
        if user {
            write!(w, "c{:06}@example.com", e.customer)?;
        }
        w.write_all(b",")?;
        write_csv_field(&mut w, src)?;
        w.write_all(b",")?;
        write_csv_field(&mut w, med)?;
        w.write_all(b",")?;
        write_csv_field(&mut w, camp)?;
        write!(w, ",https://www.example.com{},", PAGES[e.page as usize])?;
        write_csv_field(&mut w, refr)?;
        w.write_all(b",")?;
        if e.session > 0 {
            write!(w, "s{}", e.session)?;
        }
        w.write_all(b",")?;
        if e.value > 0.0 {
            write!(w, "{:.2},EUR", e.value)?;
        } else {
            w.write_all(b",")?;
        }
        w.write_all(if b2b_of[e.customer as usize] {
            b",b2b,"
        } else {
            b",b2c,"
        })?;
        writeln!(w, "{repeat}")?;
    }
    w.flush()?;
    files.push(opts.out.display().to_string());

    // Costs: one row per day and paid channel.
    let costs_path = companion(&opts.out, "costs.csv");
    let mut spend: BTreeMap<String, f64> = BTreeMap::new();
    let mut cw = std::io::BufWriter::new(fs_err::File::create(&costs_path)?);
    cw.write_all(b"date,source,medium,campaign,impressions,clicks,spend,currency\n")?;
    for ((day, c), n) in &daily_touches {
        let ch = &CHANNELS[*c];
        if ch.cpc <= 0.0 {
            continue;
        }
        let cost = (*n as f64 * ch.cpc * 100.0).round() / 100.0;
        *spend.entry(ch.group.to_owned()).or_default() += cost;
        let date = chrono::DateTime::from_timestamp(START + day * 86_400, 0)
            .unwrap_or_default()
            .format("%Y-%m-%d");
        writeln!(
            cw,
            "{date},{},{},{},{},{n},{cost:.2},EUR",
            ch.source,
            ch.medium,
            ch.campaign,
            n * 40
        )?;
    }
    cw.flush()?;
    files.push(costs_path.display().to_string());

    // Survey.
    let survey_path = companion(&opts.out, "survey.csv");
    let mut sw = std::io::BufWriter::new(fs_err::File::create(&survey_path)?);
    sw.write_all(b"respondent,submitted_at,How did you hear about us?\n")?;
    for (customer, t, answer) in &survey {
        let when = chrono::DateTime::from_timestamp(*t, 0)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ");
        writeln!(sw, "c{customer:06}@example.com,{when},{answer}")?;
    }
    sw.flush()?;
    files.push(survey_path.display().to_string());

    let mut channel_effects: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut group_touches: BTreeMap<String, u64> = BTreeMap::new();
    let mut removal: BTreeMap<String, f64> = BTreeMap::new();
    for (i, c) in CHANNELS.iter().enumerate() {
        let e = channel_effects
            .entry(c.group.to_owned())
            .or_insert((0.0, 0.0));
        e.0 += c.effect * touches[i] as f64;
        e.1 += touches[i] as f64;
        *group_touches.entry(c.group.to_owned()).or_default() += touches[i];
        *removal.entry(c.group.to_owned()).or_default() += if conversions > 0 {
            lost_without[i] as f64 / conversions as f64
        } else {
            0.0
        };
    }
    let truth_path = companion(&opts.out, "truth.json");
    files.push(truth_path.display().to_string());
    let truth = GroundTruth {
        seed: opts.seed,
        customers: opts.customers,
        events: events.len() as u64,
        conversions,
        revenue: (revenue * 100.0).round() / 100.0,
        baseline: BASELINE,
        channel_effects: channel_effects
            .into_iter()
            .map(|(k, (sum, n))| {
                (
                    k,
                    if n > 0.0 {
                        (sum / n * 1e6).round() / 1e6
                    } else {
                        0.0
                    },
                )
            })
            .collect(),
        removal_effects: removal
            .into_iter()
            .map(|(k, v)| (k, (v * 1e6).round() / 1e6))
            .collect(),
        touches: group_touches,
        spend: spend
            .into_iter()
            .map(|(k, v)| (k, (v * 100.0).round() / 100.0))
            .collect(),
        files,
    };
    let json = serde_json::to_string_pretty(&truth).map_err(std::io::Error::other)?;
    fs_err::write(&truth_path, json + "\n")?;
    Ok(truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_files() {
        let dir = tempfile::tempdir().unwrap();
        let run = |name: &str, seed: u64| {
            let out = dir.path().join(name);
            let truth = generate(&GenerateOptions {
                customers: 300,
                seed,
                out: out.clone(),
            })
            .unwrap();
            (std::fs::read(&out).unwrap(), truth)
        };
        let (a, ta) = run("a.csv", 7);
        let (b, tb) = run("b.csv", 7);
        let (c, _) = run("c.csv", 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(ta.conversions, tb.conversions);
        assert!(
            ta.conversions > 10 && ta.conversions < 300,
            "{}",
            ta.conversions
        );
        assert!(ta.events > 300 * 3);
        assert!(ta.removal_effects.values().all(|v| (0.0..=1.0).contains(v)));
        assert!(ta.removal_effects["Paid Search"] > ta.removal_effects["Display"]);
    }

    /// Visits last minutes, as on a real site (the KPIs' average visit length comes from
    /// them), and not every B2B lead is won.
    #[test]
    fn visits_are_short_and_some_leads_are_lost() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("events.csv");
        generate(&GenerateOptions {
            customers: 2_000,
            seed: 5,
            out: out.clone(),
        })
        .unwrap();
        let mut visits: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let (mut leads, mut won) = (BTreeMap::new(), BTreeMap::new());
        let mut reader = csv::Reader::from_path(&out).unwrap();
        for row in reader.records() {
            let row = row.unwrap();
            let t = chrono::DateTime::parse_from_rfc3339(&row[0])
                .unwrap()
                .timestamp();
            match &row[1] {
                "lead_created" => *leads.entry(row[2].to_owned()).or_insert(0) += 1,
                "deal_won" => *won.entry(row[2].to_owned()).or_insert(0) += 1,
                _ => {}
            }
            if !row[9].is_empty() {
                let v = visits.entry(row[9].to_owned()).or_insert((t, t));
                v.0 = v.0.min(t);
                v.1 = v.1.max(t);
            }
        }
        let mut lengths: Vec<i64> = visits.values().map(|(a, b)| b - a).collect();
        lengths.sort_unstable();
        assert!(lengths.len() > 2_000, "{}", lengths.len());
        let median = lengths[lengths.len() / 2];
        let longest = *lengths.last().unwrap();
        assert!(median < 3_600, "median visit {median} s");
        assert!(longest < 3_600, "longest visit {longest} s");
        // Every won deal had a lead; some leads were never won.
        assert!(won.keys().all(|c| leads.contains_key(c)));
        #[allow(clippy::cast_precision_loss)]
        let quality = won.len() as f64 / leads.len() as f64;
        assert!(quality > 0.3 && quality < 0.95, "lead quality {quality}");
    }
}
